import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { validateResource } from '@medplum/core';
import type { Resource } from 'fhir/r4.js';
import { ensureMedplumIndexed } from '../../../src/sandbox/medplum-setup.js';
import {
  PROFILES,
  buildAppointmentRequest,
  buildBinary,
  buildServiceRequest,
  buildThreadHeader,
  buildThreadMessage,
  buildUploadDocument,
  ifNoneExist,
  requestedPeriods,
  zoneOffset,
  type WriteContext,
} from '../../../src/outbox/resources.js';
import type { StoredFile } from '../../../src/outbox/types.js';
import { PROFILE_DIR, checkProfile, loadProfiles } from './profile-check.js';

const profiles = loadProfiles();
const ctx: WriteContext = { itemId: '3f2a7c1e-0000-4000-8000-000000000001', patientId: 'maria-lopez', author: { kind: 'patient', reference: 'Patient/maria-lopez' }, enqueuedAt: '2030-03-04T10:11:12.000Z', recipient: 'Practitioner/pr-chen' };
const proxy: WriteContext = { ...ctx, author: { kind: 'proxy', reference: 'RelatedPerson/rp-1' } };
const pdf: StoredFile = { filename: 'scan.pdf', contentType: 'application/pdf', size: 12, data: Buffer.from('%PDF-1.4 abc').toString('base64') };
const message = { kind: 'message' as const, purpose: 'billing', subject: 'Two charges', body: 'Why was I billed twice?', attachments: [pdf] };
const appt = { kind: 'appointment-request' as const, reason: 'Knee pain', visitType: 'video' as const, preferred: [{ date: '2030-03-10', partOfDay: 'morning' as const }, { date: '2030-03-11', partOfDay: 'any' as const }], notes: 'Mornings best', as: 'Appointment' as const };

function conforms(resource: Resource, profileUrl: string): void {
  const sd = profiles.get(profileUrl);
  assert.ok(sd, `profile ${profileUrl} is in fhir-profiles/`);
  assert.deepEqual(checkProfile(resource, sd), [], `${resource.resourceType} against ${sd.id}`);
  assert.deepEqual(validateResource(resource as never).filter((i) => i.severity === 'error'), [], `${resource.resourceType} is valid R4`);
}

describe('outbox resources against fhir-profiles', () => {
  before(() => ensureMedplumIndexed());

  it('a new thread: header and first message conform to portal-message', () => {
    const header = buildThreadHeader(ctx, message, 'Billing');
    conforms(header, PROFILES.message);
    assert.equal(header.partOf, undefined);
    assert.equal(header.topic?.text, 'Two charges');
    assert.equal(header.status, 'in-progress');
    const msg = buildThreadMessage(ctx, { body: message.body, attachments: [pdf], binaryIds: ['b1'], headerId: 'h1', category: header.category });
    conforms(msg, PROFILES.message);
    assert.deepEqual(msg.partOf, [{ reference: 'Communication/h1' }]);
    assert.deepEqual(msg.payload?.[1]?.contentAttachment, { contentType: 'application/pdf', url: 'Binary/b1', size: 12, title: 'scan.pdf' });
    assert.equal(msg.identifier?.[0]?.value, `${ctx.itemId}-message`);
    assert.notEqual(header.identifier?.[0]?.value, msg.identifier?.[0]?.value);
  });

  it('a proxy reply points at the thread and what it answers', () => {
    const reply = buildThreadMessage(proxy, { body: 'Thanks', attachments: [], binaryIds: [], headerId: 'h1', inResponseTo: 'm9' });
    conforms(reply, PROFILES.message);
    assert.equal(reply.sender?.reference, 'RelatedPerson/rp-1');
    assert.deepEqual(reply.inResponseTo, [{ reference: 'Communication/m9' }]);
    assert.equal(reply.meta?.security, undefined, 'no labels unless the thread has them');
  });

  it('a reply in a labelled conversation carries its labels, and still conforms', () => {
    const security = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'STD' }, { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }];
    const reply = buildThreadMessage(ctx, { body: 'Thanks', attachments: [], binaryIds: [], headerId: 'h1', security });
    conforms(reply, PROFILES.message);
    assert.deepEqual(reply.meta?.security, security);
    assert.notEqual(reply.meta?.security, security, 'a copy, not the header\'s own array');
  });

  it('the profile catches what it forbids (the checker is not a rubber stamp)', () => {
    const bad = buildThreadMessage(ctx, { body: 'x', attachments: [pdf], binaryIds: ['b1'], headerId: 'h1' });
    delete bad.sent;
    bad.sender = { reference: 'Practitioner/p1' };
    (bad.payload![1]!.contentAttachment as { data?: string }).data = 'AAAA';
    bad.identifier = [{ system: 'urn:other', value: 'x' }];
    const problems = checkProfile(bad, profiles.get(PROFILES.message)!).join('\n');
    for (const p of ['Communication.sent', 'Communication.sender', 'content[x].data', 'Communication.identifier.system']) assert.ok(problems.includes(p), `${p} in ${problems}`);
  });

  it('an appointment request is a proposed Appointment conforming to appointment-request', () => {
    const a = buildAppointmentRequest(ctx, appt, '-08:00');
    conforms(a, PROFILES.appointment);
    assert.equal(a.status, 'proposed');
    assert.deepEqual(a.requestedPeriod?.[0], { start: '2030-03-10T08:00:00-08:00', end: '2030-03-10T12:00:00-08:00' });
    assert.deepEqual(a.participant?.map((p) => [p.actor?.reference, p.status]), [['Patient/maria-lopez', 'accepted'], ['Practitioner/pr-chen', 'needs-action']]);
    assert.equal(a.extension?.[0]?.valueBoolean, true);
    const booked = { ...a, status: 'booked' as const };
    assert.ok(checkProfile(booked, profiles.get(PROFILES.appointment)!).some((p) => p.startsWith('Appointment.status')));
  });

  it('a ServiceRequest when the registration asks for one (valid R4)', () => {
    const sr = buildServiceRequest(ctx, { ...appt, as: 'ServiceRequest' }, '+00:00');
    assert.deepEqual(validateResource(sr as never).filter((i) => i.severity === 'error'), []);
    assert.equal(sr.intent, 'proposal');
    assert.equal(sr.subject.reference, 'Patient/maria-lopez');
  });

  it('an upload is a DocumentReference conforming to patient-upload, its file a Binary of the patient', () => {
    const doc = buildUploadDocument(proxy, { kind: 'upload', category: 'insurance-card', description: 'Front of card', file: pdf }, 'b7');
    conforms(doc, PROFILES.upload);
    assert.equal(doc.author?.[0]?.reference, 'RelatedPerson/rp-1');
    const bin = buildBinary(ctx, pdf, 0);
    assert.deepEqual(validateResource(bin as never).filter((i) => i.severity === 'error'), []);
    assert.equal(bin.securityContext?.reference, 'Patient/maria-lopez');
  });

  it('conditional create matches on the write identifier', () => {
    assert.equal(ifNoneExist({ system: 'urn:fhir-portal-adapter:write', value: 'abc-header' }), 'identifier=urn%3Afhir-portal-adapter%3Awrite%7Cabc-header');
  });

  it('requested periods follow the clinic time zone', () => {
    assert.equal(zoneOffset('America/Los_Angeles', new Date('2030-07-01T12:00:00Z')), '-07:00');
    assert.equal(zoneOffset('America/Los_Angeles', new Date('2030-01-01T12:00:00Z')), '-08:00');
    assert.deepEqual(requestedPeriods([{ date: '2030-01-02', partOfDay: 'afternoon' }], '+01:00'), [{ start: '2030-01-02T12:00:00+01:00', end: '2030-01-02T17:00:00+01:00' }]);
  });

  it('every example in fhir-profiles/examples conforms to the profile it names', () => {
    const dir = `${PROFILE_DIR}examples/`;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const r = JSON.parse(readFileSync(dir + f, 'utf8')) as Resource;
      const url = r.meta?.profile?.[0];
      assert.ok(url && profiles.has(url), `${f} names a profile`);
      conforms(r, url);
    }
  });
});
