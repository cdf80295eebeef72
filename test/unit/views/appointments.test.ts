import assert from 'node:assert/strict';
import type { Appointment } from 'fhir/r4.js';
import { AppointmentListSchema, mapAppointments, safeHttpsUrl, telehealthUrl } from '../../../src/views/appointments.js';
import { ResourceIndex } from '../../../src/views/references.js';
import { buildAppointmentRequest } from '../../../src/outbox/resources.js';
import { appointments, ctx, included, plain } from './fixtures.js';

describe('views/appointments', () => {
  const list = mapAppointments(appointments, included, ctx());
  const byId = new Map(list.items.map((a) => [a.id, a]));

  it('puts each appointment in its group, in display order, and hides entered-in-error', () => {
    assert.doesNotThrow(() => AppointmentListSchema.parse(list));
    assert.deepEqual(
      list.items.map((a) => [a.id, a.group]),
      [
        ['a-video', 'upcoming'],
        ['a-up', 'upcoming'],
        ['a-req', 'requested'],
        ['a-booked-past', 'past'],
        ['a-past', 'past'],
        ['a-cancel', 'cancelled'],
        ['a-noshow', 'cancelled'],
      ],
    );
    assert.deepEqual(list.counts, { upcoming: 2, requested: 1, past: 2, cancelled: 2 });
    assert.equal(list.skipped, 0);
  });

  it('shows times in the patient’s zone, people, place and instructions', () => {
    const a = byId.get('a-up')!;
    assert.equal(plain(a.when), 'Tue, Jun 10, 2025, 9:00 – 9:30 AM EDT');
    assert.equal(a.start?.iso, '2025-06-10T13:00:00.000Z');
    assert.equal(a.title, 'Blood pressure check');
    assert.equal(a.statusLabel, 'Booked');
    assert.deepEqual(a.practitioners, [{ name: 'Dr. Susan Kim MD', role: null }]);
    assert.deepEqual(a.location, {
      name: 'Riverside Clinic – Main Street',
      address: '12 Main St, Suite 200, Springfield, MA 01101',
      phone: '413-555-0100',
    });
    assert.equal(a.instructions, 'Bring your medicines; arrive 15 minutes early.');
    assert.equal(a.telehealth, null);
    const la = mapAppointments(appointments, included, ctx({ timeZone: 'America/Los_Angeles' })).items.find((x) => x.id === 'a-up')!;
    assert.equal(plain(la.when), 'Tue, Jun 10, 2025, 6:00 – 6:30 AM PDT');
  });

  it('reads plain-words statuses, requested periods, role and the contained Endpoint link', () => {
    const video = byId.get('a-video')!;
    assert.deepEqual(video.telehealth, { url: 'https://video.example.org/join/abc123' });
    assert.deepEqual(video.practitioners, [{ name: 'Tom Reyes, RN', role: 'Cardiology' }]);
    assert.equal(video.title, 'Video visit');
    const req = byId.get('a-req')!;
    assert.equal(req.statusLabel, 'Waiting for the clinic to confirm');
    assert.equal(req.start, null);
    assert.equal(plain(req.requestedPeriods[0]?.display), 'Sun, Jun 15, 2025, 9:00 AM – 5:00 PM EDT');
    assert.deepEqual(req.location, { name: 'Main Street', address: null, phone: null });
    assert.equal(byId.get('a-cancel')!.statusLabel, 'Cancelled');
    assert.equal(byId.get('a-noshow')!.statusLabel, 'Missed');
    assert.equal(byId.get('a-past')!.statusLabel, 'Completed');
    assert.equal(byId.get('a-booked-past')!.statusLabel, 'Past appointment');
    const es = mapAppointments(appointments, included, ctx({ locale: 'es' })).items.find((x) => x.id === 'a-req')!;
    assert.equal(es.statusLabel, 'Esperando la confirmación de la clínica');
  });

  it('finds telehealth links in the virtualService extension and instructions, https only', () => {
    const index = new ResourceIndex([]);
    const base: Appointment = { resourceType: 'Appointment', id: 'x', status: 'booked', participant: [] };
    assert.equal(
      telehealthUrl(
        {
          ...base,
          extension: [
            {
              url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.virtualService',
              extension: [{ url: 'addressUrl', valueUrl: 'https://meet.example.com/r/42' }],
            },
          ],
        },
        index,
      ),
      'https://meet.example.com/r/42',
    );
    assert.equal(
      telehealthUrl({ ...base, extension: [{ url: 'https://ehr.example/ext/telehealth-link', valueUrl: 'https://tele.example/v/9' }] }, index),
      'https://tele.example/v/9',
    );
    assert.equal(
      telehealthUrl({ ...base, patientInstruction: 'Join at https://zoom.example.us/j/123?pwd=x. Test your camera first.' }, index),
      'https://zoom.example.us/j/123?pwd=x',
    );
    assert.equal(telehealthUrl({ ...base, patientInstruction: 'Join at http://insecure.example/j/1' }, index), undefined);
    assert.equal(safeHttpsUrl('javascript:alert(1)'), undefined);
    assert.equal(safeHttpsUrl('https://user:pw@evil.example/'), undefined);
  });

  it('skips malformed appointments and ones for another patient, counting them', () => {
    const bad = [
      { resourceType: 'Appointment', id: 'b1', status: 'booked' }, // no participant
      { resourceType: 'Appointment', id: 'b2', status: 'maybe', participant: [] },
      { resourceType: 'Appointment', id: 'b3', status: 'booked', start: '2025-13-01T00:00:00Z', participant: [] },
      { resourceType: 'Appointment', id: 'b4', status: 'booked', participant: [{ actor: { reference: 'Patient/p2' }, status: 'accepted' }] },
    ];
    const out = mapAppointments([...appointments, ...bad], included, ctx());
    assert.equal(out.skipped, 4);
    assert.equal(out.items.length, 7);
  });
  it('a request made here is titled by what the patient wrote, not by the kind of visit; an EHR visit keeps its name and shows its reason', () => {
    const c = { itemId: 'r1', patientId: 'p1', author: { kind: 'patient' as const, reference: 'Patient/p1' }, enqueuedAt: '2025-06-01T12:00:00Z' };
    const request = { ...buildAppointmentRequest(c, { kind: 'appointment-request', reason: 'Knee hurts on stairs', visitType: 'video', preferred: [{ date: '2025-06-20', partOfDay: 'morning' }], as: 'Appointment' }, '-04:00'), id: 'r1' };
    const [mine] = mapAppointments([request], [], ctx()).items;
    assert.equal(mine!.title, 'Knee hurts on stairs');
    assert.equal(mine!.reason, 'Knee hurts on stairs');
    const visit: Appointment = { resourceType: 'Appointment', id: 'v1', status: 'booked', serviceType: [{ text: 'Cardiology' }], reasonCode: [{ coding: [{ display: 'Palpitations' }] }], start: '2025-06-20T14:00:00Z', participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] };
    const [theirs] = mapAppointments([visit], [], ctx()).items;
    assert.equal(theirs!.title, 'Cardiology');
    assert.equal(theirs!.reason, 'Palpitations');
    assert.equal(byId.get('a-up')!.reason, null);
  });

  it('a request made here: where it is on its way, instead of the EHR status words', () => {
    const requests = new Map([
      ['a-req', { status: 'retrying' as const, note: null }],
      ['a-noshow', { status: 'rejected' as const, note: 'No slots that week' }],
    ]);
    const cancellations = new Map([['a-cancel', { status: 'sending' as const, note: null }]]);
    const mine = new Map(mapAppointments(appointments, included, ctx(), { requests, cancellations }).items.map((a) => [a.id, a]));
    assert.equal(mine.get('a-req')!.statusLabel, 'Not sent yet: we keep trying. Call the clinic if it is urgent.');
    assert.deepEqual(mine.get('a-req')!.delivery, { status: 'retrying', note: null });
    assert.equal(mine.get('a-cancel')!.statusLabel, 'Cancelled: we are letting the clinic know', 'cancelled here, the cancellation on its way');
    const told = mapAppointments(appointments, included, ctx(), { cancellations: new Map([['a-cancel', { status: 'delivered' as const, note: null }]]) });
    assert.equal(told.items.find((a) => a.id === 'a-cancel')!.statusLabel, 'Cancelled');
    assert.equal(mine.get('a-noshow')!.statusLabel, "Not accepted by the clinic's system");
    assert.deepEqual(mine.get('a-noshow')!.delivery, { status: 'rejected', note: 'No slots that week' });
    assert.equal(mine.get('a-up')!.delivery, null, "the EHR's own appointments carry no delivery");
    const es = mapAppointments(appointments, included, ctx({ locale: 'es' }), { requests }).items.find((a) => a.id === 'a-req')!;
    assert.match(es.statusLabel, /seguimos intentando/);
  });

  it('a cancellation the EHR refused: the appointment as the EHR has it, saying it was not cancelled and why, while it is still ahead', () => {
    const note = 'The clinic has already booked or closed this request. Please call the clinic to change it.';
    const refused = { status: 'rejected' as const, note };
    const cancellations = new Map([['a-up', refused], ['a-req', refused], ['a-past', refused], ['a-noshow', refused]]);
    const mine = new Map(mapAppointments(appointments, included, ctx(), { cancellations }).items.map((a) => [a.id, a]));
    for (const id of ['a-up', 'a-req']) {
      assert.equal(mine.get(id)!.statusLabel, 'Not cancelled: the clinic could not cancel this', id);
      assert.deepEqual(mine.get(id)!.delivery, refused);
      assert.notEqual(mine.get(id)!.status, 'cancelled');
    }
    assert.equal(mine.get('a-up')!.group, 'upcoming', 'still listed where the EHR has it');
    // Past, or cancelled by the clinic after all: the EHR's own words, nothing about the refusal.
    assert.equal(mine.get('a-past')!.delivery, null);
    assert.equal(mine.get('a-noshow')!.delivery, null);
    const es = mapAppointments(appointments, included, ctx({ locale: 'es' }), { cancellations }).items.find((a) => a.id === 'a-up')!;
    assert.equal(es.statusLabel, 'No cancelada: la clínica no pudo cancelarla');
  });
});
