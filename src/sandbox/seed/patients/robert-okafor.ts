import { birthDateForAge, longDate, shift, slot } from '../clock.js';
import { loinc } from '../codes.js';
import { appointment } from '../appointments.js';
import { documentReference, pdfFile } from '../documents.js';
import { report, trend } from '../lab.js';
import { thread } from '../messages.js';
import { patientResource, proxyResource } from '../people.js';
import { PatientRecord } from '../record.js';
import { PLACES, STAFF, staff } from '../shared.js';

export const ROBERT_DESCRIPTION =
  'Older adult (81) with heart failure and his daughter as proxy; BNP and creatinine trends, critical low potassium, ' +
  'many cardiology and lab visits, medication threads, discharge summary';

export function robertOkafor(now: Date): PatientRecord {
  const rec = new PatientRecord(now, 'robert-okafor', 'ro');
  const me = rec.patient;
  patientResource(rec, {
    given: ['Robert', 'Chukwuma'], family: 'Okafor', gender: 'male', birthDate: birthDateForAge(now, 81, 250),
    mrn: 'RFH-099604', email: 'robert.okafor@example.org', phone: '+1-916-555-0155',
    address: { line: '1340 Willowbrook Lane', city: 'Carmichael', postalCode: '95608' },
    languages: [{ code: 'en', display: 'English', preferred: true }],
  });
  const daughter = proxyResource(rec, {
    id: 'rp-grace-okafor', given: ['Grace'], family: 'Okafor', gender: 'female',
    relationship: { code: 'DAU', display: 'daughter' }, email: 'grace.okafor@example.org', phone: '+1-916-555-0156',
  });
  const daughterRef = { reference: `RelatedPerson/${daughter.id}`, display: 'Grace Okafor' };

  trend(rec, {
    code: loinc('30934-4', 'Natriuretic peptide B [Mass/volume] in Serum or Plasma'), ucum: 'pg/mL', range: { high: 100 },
    values: [1240, 980, 860, 720, 640, 590, 610, 540, 480, 450, 520, 470],
    everyDays: 30, lastDaysAgo: 7, utcHour: 16, turnaroundHours: 5, landmarkLatest: 'bnpLatest',
  });
  trend(rec, {
    code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), ucum: 'mg/dL', range: { low: 0.7, high: 1.3 },
    values: [1.3, 1.4, 1.5, 1.4, 1.6, 1.7],
    everyDays: 60, lastDaysAgo: 7, utcHour: 16, turnaroundHours: 5, landmarkLatest: 'creatinineLatest',
  });

  // Low potassium on a loop diuretic: the critical value is phoned to the patient as well.
  report(rec, {
    code: loinc('51990-0', 'Basic metabolic panel - Blood'), category: 'LAB',
    effective: shift(now, { hours: -8 }), issued: shift(now, { hours: -3 }), interpreter: staff(STAFF.brooks), landmark: 'criticalReport',
    results: [
      { code: loinc('2823-3', 'Potassium [Moles/volume] in Serum or Plasma'), landmark: 'criticalPotassium',
        measured: { value: 2.7, ucum: 'mmol/L', range: { low: 3.5, high: 5.1, criticalLow: 2.8, criticalHigh: 6.0 } } },
      { code: loinc('2951-2', 'Sodium [Moles/volume] in Serum or Plasma'), measured: { value: 133, ucum: 'mmol/L', range: { low: 136, high: 145 } } },
      { code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), measured: { value: 1.6, ucum: 'mg/dL', range: { low: 0.7, high: 1.3 } } },
      { code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'), measured: { value: 108, ucum: 'mg/dL', range: { low: 70, high: 99 } } },
    ],
  });

  const admitted = slot(now, -50, 20);
  const discharged = slot(now, -46, 19);
  const summary = pdfFile(rec, {
    title: 'Hospital discharge summary', created: discharged,
    heading: 'Discharge summary - Riverside Medical Center',
    lines: [
      `Patient: Robert Okafor    Admitted: ${longDate(admitted)}    Discharged: ${longDate(discharged)}`,
      'Diagnosis: acute on chronic heart failure with reduced ejection fraction (EF 30%).',
      'Treated with IV furosemide; weight down 4 kg. Discharged on furosemide 40 mg twice daily.',
      'Follow-up: cardiology in 1 week, blood tests in 3 days. Weigh yourself every morning.',
      'Call if weight rises more than 1 kg in a day or 2 kg in a week.',
    ],
  });
  documentReference(rec, {
    type: loinc('18842-5', 'Discharge summary'), file: summary, date: discharged, author: staff(STAFF.brooks),
    description: 'Hospital discharge summary', period: { start: admitted, end: discharged }, landmark: 'dischargeSummary',
  });

  thread(rec, {
    purpose: 'refill-request', subject: 'Refill: furosemide 40 mg',
    messages: [
      { from: daughterRef, to: staff(STAFF.brooks), sent: shift(now, { days: -9, hours: -4 }), read: shift(now, { days: -9, hours: -3 }),
        text: 'Dad has 4 days of furosemide left. Could you send a refill to his usual pharmacy?' },
      { from: staff(STAFF.alvarez), to: daughterRef, sent: shift(now, { days: -9, hours: -1 }), read: shift(now, { days: -9 }),
        text: 'Sent: 90 days. Please keep logging his weight every morning.' },
    ],
  });
  thread(rec, {
    purpose: 'medication-question', subject: 'Potassium pill with food?', landmark: 'unreadThread',
    messages: [
      { from: daughterRef, to: staff(STAFF.brooks), sent: shift(now, { hours: -2, minutes: -30 }), read: shift(now, { hours: -2 }),
        text: 'The lab called about his potassium. Should he take the new potassium pill with food?' },
      { from: staff(STAFF.alvarez), to: daughterRef, sent: shift(now, { hours: -1 }), landmark: 'unreadReply',
        text: 'Yes, with food and a full glass of water, twice a day. We will recheck his blood in 2 days.' },
    ],
  });
  thread(rec, {
    purpose: 'medication-question', subject: 'Swollen ankles and my water pill',
    messages: [
      { from: me, to: staff(STAFF.brooks), sent: shift(now, { days: -20, hours: -5 }), read: shift(now, { days: -20, hours: -4 }),
        text: 'My ankles are more swollen in the evening. Should I take an extra water pill?' },
      { from: staff(STAFF.brooks), to: me, sent: shift(now, { days: -20, hours: -2 }), read: shift(now, { days: -20, hours: -1 }),
        text: 'Not on your own. If your weight is up more than 2 kg this week, call us today so we can adjust the dose.' },
    ],
  });

  const cardiology = { service: 'Cardiology', practitioner: STAFF.brooks, location: PLACES.main } as const;
  const lab = { service: 'Laboratory', practitioner: STAFF.alvarez, location: PLACES.lab } as const;
  appointment(rec, { ...cardiology, status: 'fulfilled', start: slot(now, -39, 17), minutes: 30, kind: 'FOLLOWUP',
    reason: 'Post-discharge heart failure follow-up', description: 'Cardiology follow-up with Dr. Brooks', created: discharged });
  appointment(rec, { ...lab, status: 'fulfilled', start: slot(now, -7, 16), minutes: 15, kind: 'ROUTINE',
    reason: 'BNP and kidney function', description: 'Lab draw', created: slot(now, -39, 18) });
  appointment(rec, { ...lab, status: 'booked', start: slot(now, 2, 16), minutes: 15, kind: 'ROUTINE',
    reason: 'Repeat potassium', description: 'Lab draw', created: shift(now, { hours: -2 }),
    patientInstruction: 'No need to fast. Bring the list of medicines you take.' });
  appointment(rec, { ...cardiology, status: 'cancelled', start: slot(now, 3, 19), minutes: 30, kind: 'FOLLOWUP',
    reason: 'Heart failure follow-up', description: 'Cardiology follow-up with Dr. Brooks', created: slot(now, -39, 18),
    cancelledBy: 'prov', cancelReason: 'Dr. Brooks is away; moved to the following week.' });
  appointment(rec, { ...cardiology, status: 'booked', start: slot(now, 9, 17), minutes: 30, kind: 'FOLLOWUP',
    reason: 'Heart failure follow-up', description: 'Cardiology follow-up with Dr. Brooks', created: shift(now, { days: -3 }),
    patientInstruction: 'Bring your daily weight log and all medicine bottles.' });
  appointment(rec, { status: 'booked', start: slot(now, 6, 20), minutes: 20, kind: 'FOLLOWUP', service: 'Video visit',
    reason: 'Heart failure nurse check-in', description: 'Video check-in with nurse Alvarez', practitioner: STAFF.alvarez,
    created: shift(now, { days: -7 }), telehealthUrl: 'https://telehealth.riverside.example/join/vv-2086-4417',
    comment: 'Video visit: a family member may join to help with the camera.' });
  appointment(rec, { status: 'booked', start: slot(now, 16, 18), minutes: 30, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Medication review', description: 'Medication review with Dr. Chen', practitioner: STAFF.chen,
    location: PLACES.main, created: shift(now, { days: -10 }) });
  return rec;
}
