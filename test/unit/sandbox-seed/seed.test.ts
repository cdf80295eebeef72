import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type {
  Appointment, Binary, Communication, DiagnosticReport, DocumentReference, Observation, Patient, RelatedPerson, Resource,
} from 'fhir/r4.js';
import { buildSeed, type Seed } from '../../../src/sandbox/seed/index.js';
import {
  ACT_CODE, ageAt, CONFIDENTIALITY, hasCode, hasLabel, HOUR, index, ofType, referencesIn, resources,
} from './helpers.js';

const NOW = new Date('2026-03-10T18:07:33.123Z');
const seed = buildSeed(NOW);
const byRef = index(seed);
const get = <T extends Resource>(reference: string): T => {
  const r = byRef.get(reference);
  assert.ok(r, `${reference} exists`);
  return r as T;
};
const landmark = <T extends Resource>(patient: string, name: string): T => {
  const reference = seed.landmarks[patient]?.[name];
  assert.ok(reference, `landmark ${patient}.${name}`);
  return get<T>(reference);
};
const ms = (s: string | undefined) => new Date(s!).getTime();
const PATIENT_IDS = ['maria-lopez', 'james-carter', 'aisha-khan', 'emma-nguyen', 'robert-okafor'];
const nowArb = fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true });

function reminderWindow(s: Seed, now: Date): Appointment[] {
  return ofType<Appointment>(s, 'Appointment').filter((a) => {
    if (a.status !== 'booked' || !a.start) return false;
    const ahead = ms(a.start) - now.getTime();
    return ahead >= 24 * HOUR && ahead <= 30 * HOUR;
  });
}

describe('sandbox seed: shape and determinism', () => {
  it('gives byte-identical JSON for the same instant and moves with a different one', () => {
    const again = buildSeed(new Date(NOW.getTime()));
    assert.equal(JSON.stringify(again), JSON.stringify(seed));
    assert.notEqual(JSON.stringify(buildSeed(new Date(NOW.getTime() + 60_000))), JSON.stringify(seed));
  });

  it('refuses an invalid date, naming it', () => {
    assert.throws(() => buildSeed(new Date('not a date')), /now must be a valid Date/);
  });

  it('lists the five patients with descriptions, and a default practitioner that exists', () => {
    assert.deepEqual(seed.patients.map((p) => p.id), PATIENT_IDS);
    for (const p of seed.patients) {
      assert.ok(p.description.length > 40 && !p.description.includes('\n'), `${p.id} has a one-line description`);
      get<Patient>(`Patient/${p.id}`);
    }
    assert.equal(seed.practitionerId, 'pr-chen');
    get(`Practitioner/${seed.practitionerId}`);
  });

  it('is one shared transaction plus one per patient, PUTs on fixed relative urls', () => {
    assert.equal(seed.bundles.length, 1 + PATIENT_IDS.length);
    const shared = seed.bundles[0]!;
    for (const id of ['Organization/org-riverside', 'Practitioner/pr-chen', 'Practitioner/pr-patel', 'Practitioner/pr-alvarez',
      'Location/loc-main', 'Location/loc-lab']) {
      assert.ok(shared.entry!.some((e) => e.fullUrl === id), `${id} in the shared bundle`);
    }
    const seen = new Set<string>();
    for (const b of seed.bundles) {
      assert.equal(b.resourceType, 'Bundle');
      assert.equal(b.type, 'transaction');
      for (const e of b.entry!) {
        const url = `${e.resource!.resourceType}/${e.resource!.id}`;
        assert.equal(e.fullUrl, url);
        assert.deepEqual(e.request, { method: 'PUT', url });
        assert.match(e.resource!.id!, /^[A-Za-z0-9\-.]{1,64}$/);
        assert.ok(!seen.has(url), `${url} appears once`);
        seen.add(url);
      }
    }
    for (const [i, id] of PATIENT_IDS.entries()) {
      assert.ok(seed.bundles[i + 1]!.entry!.some((e) => e.fullUrl === `Patient/${id}`), `bundle ${i + 1} holds ${id}`);
    }
  });

  it('resolves every reference in every bundle to a resource in the seed', () => {
    let count = 0;
    for (const r of resources(seed)) {
      for (const reference of referencesIn(r)) {
        assert.match(reference, /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/, `relative reference in ${r.resourceType}/${r.id}`);
        assert.ok(byRef.has(reference), `${r.resourceType}/${r.id} → ${reference} resolves`);
        count++;
      }
    }
    assert.ok(count > 300, `checked ${count} references`);
  });

  it('keeps ids of clinical resources opaque (no test names in portal URLs)', () => {
    for (const id of PATIENT_IDS) {
      for (const r of seed.bundles[PATIENT_IDS.indexOf(id) + 1]!.entry!.map((e) => e.resource!)) {
        if (r.resourceType === 'Patient' || r.resourceType === 'RelatedPerson') continue;
        assert.match(r.id!, /^[a-z]+-[a-z]{2}-\d{2}$/, `${r.resourceType}/${r.id}`);
      }
    }
  });

  it('every landmark points at a resource of the named patient', () => {
    for (const [patient, marks] of Object.entries(seed.landmarks)) {
      const bundle = seed.bundles[PATIENT_IDS.indexOf(patient) + 1]!;
      for (const [name, reference] of Object.entries(marks)) {
        assert.ok(bundle.entry!.some((e) => e.fullUrl === reference), `${patient}.${name} = ${reference}`);
      }
    }
  });
});

describe('sandbox seed: time', () => {
  it('has exactly one booked appointment 24-30 h ahead, for any now', () => {
    assert.equal(reminderWindow(seed, NOW).length, 1);
    assert.equal(reminderWindow(seed, NOW)[0]!.id, seed.landmarks['maria-lopez']!['reminderAppointment']!.split('/')[1]);
    fc.assert(fc.property(nowArb, (now) => reminderWindow(buildSeed(now), now).length === 1), { numRuns: 25 });
  });

  it('makes Emma 15 at now on both the UTC and the California calendar, for any now', () => {
    const check = (now: Date) => {
      const emma = ofType<Patient>(buildSeed(now), 'Patient').find((p) => p.id === 'emma-nguyen')!;
      return ageAt(emma.birthDate!, now, 'UTC') === 15 && ageAt(emma.birthDate!, now, 'America/Los_Angeles') === 15;
    };
    for (const s of ['2024-02-29T12:00:00Z', '2025-01-01T00:00:00Z', '2025-12-31T23:59:59Z', '2026-07-04T07:30:00Z']) {
      assert.ok(check(new Date(s)), s);
    }
    fc.assert(fc.property(nowArb, check), { numRuns: 50 });
  });

  it('gives the adults their stated ages', () => {
    const ages: Record<string, number> = { 'maria-lopez': 58, 'james-carter': 66, 'aisha-khan': 34, 'robert-okafor': 81 };
    for (const [id, age] of Object.entries(ages)) {
      assert.equal(ageAt(get<Patient>(`Patient/${id}`).birthDate!, NOW, 'America/Los_Angeles'), age, id);
    }
  });

  it('puts results in the past, issued after they were taken, and visits on the right side of now', () => {
    const t = NOW.getTime();
    for (const r of [...ofType<Observation>(seed, 'Observation'), ...ofType<DiagnosticReport>(seed, 'DiagnosticReport')]) {
      assert.ok(ms(r.issued) <= t, `${r.id} issued in the past`);
      assert.ok(ms(r.effectiveDateTime) <= ms(r.issued), `${r.id} issued after it was taken`);
    }
    for (const a of ofType<Appointment>(seed, 'Appointment')) {
      if (a.status === 'fulfilled') assert.ok(ms(a.end) < t, `${a.id} fulfilled in the past`);
      if (a.status === 'booked') assert.ok(ms(a.start) > t, `${a.id} booked in the future`);
      if (a.start) assert.ok(ms(a.end) > ms(a.start));
      assert.ok(ms(a.created) <= t, `${a.id} created in the past`);
    }
    for (const c of ofType<Communication>(seed, 'Communication')) {
      assert.ok(ms(c.sent) <= t, `${c.id} sent in the past`);
      if (c.received) assert.ok(ms(c.received) >= ms(c.sent) && ms(c.received) <= t, `${c.id} read after sent`);
    }
  });

  it('spreads result ages: minutes, about 2 days, and months old', () => {
    const ages = ofType<DiagnosticReport>(seed, 'DiagnosticReport').map((r) => (NOW.getTime() - ms(r.issued)) / HOUR);
    assert.ok(ages.some((h) => h < 1), 'one issued within the hour');
    assert.ok(ages.some((h) => h === 48), 'one issued exactly 2 days ago');
    assert.ok(ages.some((h) => h > 24 * 50), 'one issued months ago');
  });
});

describe('sandbox seed: clinical content', () => {
  it('ties every DiagnosticReport result to an Observation of the same patient', () => {
    for (const dr of ofType<DiagnosticReport>(seed, 'DiagnosticReport')) {
      for (const r of dr.result ?? []) {
        const obs = get<Observation>(r.reference!);
        assert.equal(obs.resourceType, 'Observation');
        assert.equal(obs.subject?.reference, dr.subject?.reference, `${dr.id} → ${obs.id}`);
        assert.deepEqual(obs.meta?.security ?? [], dr.meta?.security ?? [], `${obs.id} carries its report's labels`);
      }
    }
  });

  it('flags each quantitative result consistently with its reference range', () => {
    const quantities = ofType<Observation>(seed, 'Observation').flatMap((o) =>
      [o, ...(o.component ?? [])].filter((x) => x.valueQuantity && x.referenceRange));
    assert.ok(quantities.length > 60);
    for (const q of quantities) {
      const v = q.valueQuantity!.value!;
      const { low, high } = q.referenceRange![0]!;
      const flag = q.interpretation![0]!.coding![0]!.code!;
      if (flag === 'N') assert.ok((low?.value ?? -Infinity) <= v && v <= (high?.value ?? Infinity));
      if (flag === 'H' || flag === 'HH') assert.ok(v > high!.value!);
      if (flag === 'L' || flag === 'LL') assert.ok(v < low!.value!);
      assert.equal(q.valueQuantity!.system, 'http://unitsofmeasure.org');
      assert.equal(q.referenceRange![0]![high ? 'high' : 'low']!.code, q.valueQuantity!.code, 'range in the same unit');
    }
  });

  it('describes each attachment by the Binary it points at', () => {
    const attachments = [
      ...ofType<DocumentReference>(seed, 'DocumentReference').flatMap((d) => d.content.map((c) => c.attachment)),
      ...ofType<DiagnosticReport>(seed, 'DiagnosticReport').flatMap((d) => d.presentedForm ?? []),
      ...ofType<Communication>(seed, 'Communication').flatMap((c) => (c.payload ?? []).flatMap((p) => p.contentAttachment ?? [])),
    ];
    assert.ok(attachments.length >= 8);
    for (const a of attachments) {
      const bin = get<Binary>(a.url!);
      const bytes = Buffer.from(bin.data!, 'base64');
      assert.equal(a.contentType, bin.contentType);
      assert.equal(a.size, bytes.length);
      assert.equal(a.hash, createHash('sha1').update(bytes).digest('base64'));
      assert.ok(a.title);
    }
    for (const b of ofType<Binary>(seed, 'Binary')) assert.ok(b.securityContext, `${b.id} has a securityContext`);
  });

  it('builds message threads from headers, partOf and inResponseTo, with a purpose', () => {
    const comms = ofType<Communication>(seed, 'Communication');
    const headers = comms.filter((c) => !c.partOf);
    assert.ok(headers.length >= 10);
    const purposes = new Set(['refill-request', 'medication-question', 'test-result-question', 'appointment-question', 'billing', 'other']);
    for (const c of comms) {
      const coding = c.category?.[0]?.coding?.[0];
      assert.equal(coding?.system, 'http://fhir-portal-adapter.example/CodeSystem/message-purpose');
      assert.ok(purposes.has(coding!.code!), `${c.id} purpose`);
      assert.ok(c.topic?.text, `${c.id} topic`);
      if (!c.partOf) continue;
      const header = get<Communication>(c.partOf[0]!.reference!);
      assert.equal(header.partOf, undefined, 'partOf points at a header');
      assert.equal(header.subject?.reference, c.subject?.reference);
      assert.ok(c.payload?.[0]?.contentString, `${c.id} has text`);
      for (const r of c.inResponseTo ?? []) {
        assert.deepEqual(get<Communication>(r.reference!).partOf, c.partOf, 'replies stay in their thread');
      }
      assert.equal(c.status === 'completed', c.received !== undefined, `${c.id}: read ⇔ completed`);
    }
    assert.ok(comms.some((c) => c.sender?.reference?.startsWith('RelatedPerson/')), 'a proxy wrote a message');
  });
});

describe('sandbox seed: Maria Lopez', () => {
  const P = 'maria-lopez';
  it('is an adult Californian who speaks Spanish and English, with an MRN', () => {
    const p = get<Patient>(`Patient/${P}`);
    assert.equal(p.gender, 'female');
    assert.equal(p.address?.[0]?.state, 'CA');
    assert.ok(p.telecom?.some((t) => t.system === 'email' && t.value === 'maria.lopez@example.org'));
    assert.ok(p.telecom?.some((t) => t.system === 'phone'));
    assert.ok(p.identifier?.some((i) => i.system === 'http://riverside.example/mrn' && i.value));
    assert.deepEqual(p.communication?.map((c) => c.language.coding?.[0]?.code), ['es', 'en']);
  });

  it('has an unlabelled lipid panel issued minutes ago', () => {
    const dr = landmark<DiagnosticReport>(P, 'lipidReport');
    assert.ok(hasCode(dr.code, '57698-3'));
    assert.equal(dr.meta, undefined);
    assert.ok(NOW.getTime() - ms(dr.issued) < HOUR);
    const codes = dr.result!.map((r) => get<Observation>(r.reference!).code.coding![0]!.code);
    assert.deepEqual(codes, ['2093-3', '2571-8', '2085-9', '13457-7']);
  });

  it('has a monthly HbA1c trend over a year with some high values', () => {
    const a1c = ofType<Observation>(seed, 'Observation', P).filter((o) => hasCode(o.code, '4548-4'))
      .sort((a, b) => ms(a.effectiveDateTime) - ms(b.effectiveDateTime));
    assert.equal(a1c.length, 12);
    const span = (ms(a1c[11]!.effectiveDateTime) - ms(a1c[0]!.effectiveDateTime)) / (24 * HOUR);
    assert.ok(span >= 300 && span <= 366, `spans ${span} days`);
    const flags = a1c.map((o) => o.interpretation?.[0]?.coding?.[0]?.code);
    assert.ok(flags.includes('H') && flags.includes('N'));
  });

  it('has a CBC with low hemoglobin and a blood pressure with components', () => {
    const cbc = landmark<DiagnosticReport>(P, 'cbcReport');
    assert.ok(hasCode(cbc.code, '58410-2'));
    const obs = cbc.result!.map((r) => get<Observation>(r.reference!));
    assert.deepEqual(obs.map((o) => o.code.coding![0]!.code), ['6690-2', '718-7', '777-3']);
    assert.equal(obs[1]!.interpretation![0]!.coding![0]!.code, 'L');
    const bp = landmark<Observation>(P, 'bloodPressure');
    assert.ok(hasCode(bp.code, '85354-9'));
    assert.equal(bp.category![0]!.coding![0]!.code, 'vital-signs');
    assert.deepEqual(bp.component!.map((c) => c.code.coding![0]!.code), ['8480-6', '8462-4']);
  });

  it('has an HIV test labelled HIV, issued a day ago, its Observation labelled too', () => {
    const dr = landmark<DiagnosticReport>(P, 'hivReport');
    assert.ok(hasCode(dr.code, '75622-1'));
    assert.ok(hasCode(dr.category![0], 'LAB'));
    assert.ok(hasLabel(dr, ACT_CODE, 'HIV'));
    assert.equal(NOW.getTime() - ms(dr.issued), 24 * HOUR);
    const obs = get<Observation>(dr.result![0]!.reference!);
    assert.ok(hasCode(obs.code, '75622-1') && hasLabel(obs, ACT_CODE, 'HIV'));
  });

  it('has a preliminary report and an amended one', () => {
    assert.equal(landmark<DiagnosticReport>(P, 'preliminaryReport').status, 'preliminary');
    const amended = landmark<DiagnosticReport>(P, 'amendedReport');
    assert.equal(amended.status, 'amended');
    assert.ok(amended.result!.every((r) => get<Observation>(r.reference!).status === 'amended'));
  });

  it('has a PDF visit summary and a text care plan', () => {
    const summary = landmark<DocumentReference>(P, 'visitSummary');
    assert.ok(hasCode(summary.type, '34133-9'));
    assert.equal(summary.content[0]!.attachment.contentType, 'application/pdf');
    assert.equal(landmark<DocumentReference>(P, 'carePlan').content[0]!.attachment.contentType, 'text/plain');
  });

  it('has a staff message with a PDF and an unread staff reply', () => {
    const withPdf = landmark<Communication>(P, 'staffMessageWithPdf');
    assert.ok(withPdf.sender?.reference?.startsWith('Practitioner/'));
    const att = withPdf.payload!.find((p) => p.contentAttachment)!.contentAttachment!;
    assert.equal(get<Binary>(att.url!).contentType, 'application/pdf');
    const unread = landmark<Communication>(P, 'unreadReply');
    assert.ok(unread.sender?.reference?.startsWith('Practitioner/'));
    assert.equal(unread.status, 'in-progress');
    assert.equal(unread.received, undefined);
    assert.ok(unread.inResponseTo?.length);
    const patientSent = ofType<Communication>(seed, 'Communication', P).filter((c) => c.sender?.reference === `Patient/${P}`);
    assert.ok(patientSent.length >= 4);
  });

  it('has past, upcoming, video, proposed and cancelled appointments', () => {
    const appts = ofType<Appointment>(seed, 'Appointment', P);
    assert.ok(appts.some((a) => a.status === 'fulfilled'));
    const upcoming = landmark<Appointment>(P, 'upcomingVisit');
    assert.equal(upcoming.status, 'booked');
    assert.ok(upcoming.patientInstruction);
    const actors = upcoming.participant.map((p) => p.actor?.reference?.split('/')[0]);
    assert.deepEqual(actors, ['Patient', 'Practitioner', 'Location']);
    const video = landmark<Appointment>(P, 'videoVisit');
    const ext = video.extension!.find((e) => e.url === 'http://fhir-portal-adapter.example/StructureDefinition/telehealth-url');
    assert.match(ext!.valueUrl!, /^https:\/\//);
    assert.ok(video.comment);
    assert.equal(landmark<Appointment>(P, 'proposedAppointment').status, 'proposed');
    assert.ok(landmark<Appointment>(P, 'proposedAppointment').requestedPeriod?.length);
    assert.equal(landmark<Appointment>(P, 'cancelledAppointment').status, 'cancelled');
  });
});

describe('sandbox seed: James Carter', () => {
  const P = 'james-carter';
  it('has a malignant pathology report issued 2 days ago with its PDF and Observations', () => {
    const dr = landmark<DiagnosticReport>(P, 'pathologyReport');
    assert.ok(hasCode(dr.category![0], 'PAT') && hasCode(dr.code, '60567-5'));
    assert.match(dr.conclusion!, /^Adenocarcinoma/);
    assert.equal(NOW.getTime() - ms(dr.issued), 48 * HOUR);
    assert.equal(dr.presentedForm![0]!.contentType, 'application/pdf');
    assert.ok(dr.result!.length >= 2);
    const doc = landmark<DocumentReference>(P, 'pathologyDocument');
    assert.equal(doc.context?.related?.[0]?.reference, `DiagnosticReport/${dr.id}`);
    assert.equal(doc.content[0]!.attachment.url, dr.presentedForm![0]!.url, 'the document carries the same file');
    assert.equal(get<Binary>(dr.presentedForm![0]!.url!).securityContext?.reference, `DiagnosticReport/${dr.id}`);
  });

  it('has a rising PSA trend', () => {
    const psa = ofType<Observation>(seed, 'Observation', P).filter((o) => hasCode(o.code, '2857-1'))
      .sort((a, b) => ms(a.effectiveDateTime) - ms(b.effectiveDateTime)).map((o) => o.valueQuantity!.value!);
    assert.ok(psa.length >= 6);
    psa.slice(1).forEach((v, i) => assert.ok(v > psa[i]!, 'rising'));
  });

  it('has a chest X-ray, a NOPAT result and a critical high potassium', () => {
    const xr = landmark<DiagnosticReport>(P, 'chestXray');
    assert.ok(hasCode(xr.category![0], 'RAD') && hasCode(xr.code, '36643-5') && xr.conclusion);
    assert.ok(hasLabel(landmark(P, 'nopatReport'), ACT_CODE, 'NOPAT'));
    const k = landmark<Observation>(P, 'criticalPotassium');
    assert.ok(hasCode(k.code, '2823-3'));
    assert.equal(k.interpretation![0]!.coding![0]!.code, 'HH');
  });
});

describe('sandbox seed: Aisha Khan', () => {
  const P = 'aisha-khan';
  it('has a GDIS-labelled genetic test issued a day ago', () => {
    const dr = landmark<DiagnosticReport>(P, 'geneticReport');
    assert.ok(hasCode(dr.category![0], 'GE') && hasCode(dr.code, '81247-9') && hasLabel(dr, ACT_CODE, 'GDIS'));
    assert.equal(NOW.getTime() - ms(dr.issued), 24 * HOUR);
  });

  it('has a PSY, restricted behavioural-health note and a very-restricted result', () => {
    const note = landmark<DocumentReference>(P, 'psyNote');
    assert.ok(hasLabel(note, ACT_CODE, 'PSY') && hasLabel(note, CONFIDENTIALITY, 'R'));
    assert.ok(hasLabel(get<Binary>(note.content[0]!.attachment.url!), ACT_CODE, 'PSY'), 'its file is labelled too');
    assert.ok(hasLabel(landmark(P, 'restrictedReport'), CONFIDENTIALITY, 'V'));
  });

  it('has a TSH trend, messages and appointments', () => {
    assert.ok(ofType<Observation>(seed, 'Observation', P).filter((o) => hasCode(o.code, '3016-3')).length >= 6);
    assert.ok(ofType<Communication>(seed, 'Communication', P).length >= 4);
    assert.ok(ofType<Appointment>(seed, 'Appointment', P).some((a) => a.status === 'booked'));
  });
});

describe('sandbox seed: Emma Nguyen (minor with a parent proxy)', () => {
  const P = 'emma-nguyen';
  it('has her mother as proxy', () => {
    const rp = get<RelatedPerson>('RelatedPerson/rp-linh-nguyen');
    assert.equal(rp.patient.reference, `Patient/${P}`);
    assert.equal(rp.relationship![0]!.coding![0]!.system, 'http://terminology.hl7.org/CodeSystem/v3-RoleCode');
    assert.equal(rp.relationship![0]!.coding![0]!.code, 'MTH');
    assert.ok(rp.name?.[0]?.family && rp.telecom?.length);
  });

  it('labels the chlamydia result STD on both the report and the Observation', () => {
    const dr = landmark<DiagnosticReport>(P, 'stiReport');
    const obs = get<Observation>(dr.result![0]!.reference!);
    assert.ok(hasCode(obs.code, '43304-5'));
    assert.ok(hasLabel(dr, ACT_CODE, 'STD') && hasLabel(obs, ACT_CODE, 'STD'));
  });

  it('leaves the blood count and vitamin D unlabelled', () => {
    const ordinary = ofType<DiagnosticReport>(seed, 'DiagnosticReport', P).filter((d) => !d.meta?.security);
    assert.ok(ordinary.some((d) => hasCode(d.code, '58410-2')));
    assert.ok(ordinary.some((d) => hasCode(d.code, '62292-8')));
  });

  it('labels the whole confidential thread, not the school-forms one', () => {
    const header = landmark<Communication>(P, 'confidentialThread');
    const thread = ofType<Communication>(seed, 'Communication', P)
      .filter((c) => c.id === header.id || c.partOf?.[0]?.reference === `Communication/${header.id}`);
    assert.ok(thread.length >= 3);
    for (const c of thread) assert.ok(hasLabel(c, ACT_CODE, 'STD') && hasLabel(c, ACT_CODE, 'SEX'), c.id);
    const school = landmark<Communication>(P, 'schoolFormsThread');
    assert.equal(school.meta, undefined);
    assert.ok(hasCode(landmark<DocumentReference>(P, 'sportsForm').type, '34109-9'));
  });

  it('labels her follow-up visit for that care, not her yearly check-up', () => {
    const visits = ofType<Appointment>(seed, 'Appointment', P);
    const followUp = landmark<Appointment>(P, 'confidentialVisit');
    assert.ok(hasLabel(followUp, ACT_CODE, 'STD'));
    assert.equal(followUp.status, 'booked');
    assert.ok(visits.some((a) => a.id !== followUp.id && a.status === 'booked' && a.meta?.security === undefined));
  });
});

describe('sandbox seed: Robert Okafor (older adult with a daughter proxy)', () => {
  const P = 'robert-okafor';
  it('has his daughter as proxy, BNP and creatinine trends and a critical low potassium', () => {
    const rp = get<RelatedPerson>('RelatedPerson/rp-grace-okafor');
    assert.equal(rp.patient.reference, `Patient/${P}`);
    assert.equal(rp.relationship![0]!.coding![0]!.code, 'DAU');
    const obs = ofType<Observation>(seed, 'Observation', P);
    assert.ok(obs.filter((o) => hasCode(o.code, '30934-4')).length >= 12);
    assert.ok(obs.filter((o) => hasCode(o.code, '2160-0')).length >= 6);
    assert.equal(landmark<Observation>(P, 'criticalPotassium').interpretation![0]!.coding![0]!.code, 'LL');
  });

  it('has many appointments, medication threads and a PDF discharge summary', () => {
    assert.ok(ofType<Appointment>(seed, 'Appointment', P).length >= 6);
    const threads = ofType<Communication>(seed, 'Communication', P).filter((c) => !c.partOf);
    assert.ok(threads.filter((c) => hasCode(c.category![0], 'medication-question') || hasCode(c.category![0], 'refill-request')).length >= 3);
    const ds = landmark<DocumentReference>(P, 'dischargeSummary');
    assert.ok(hasCode(ds.type, '18842-5'));
    assert.equal(ds.content[0]!.attachment.contentType, 'application/pdf');
  });
});
