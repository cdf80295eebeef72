import { birthDateForAge, longDate, shift, slot } from '../clock.js';
import { confidentiality, loinc, RESULT_VALUES, sensitivity } from '../codes.js';
import { appointment } from '../appointments.js';
import { documentReference, textFile } from '../documents.js';
import { report, trend } from '../lab.js';
import { thread } from '../messages.js';
import { patientResource } from '../people.js';
import { PatientRecord } from '../record.js';
import { PLACES, STAFF, staff } from '../shared.js';

export const AISHA_DESCRIPTION =
  'Adult (34); BRCA genetic test with its release note pending, behavioural-health note (PSY, restricted), ' +
  'a very-restricted (V) result, TSH trend on levothyroxine, messages and a thyroid follow-up';

export function aishaKhan(now: Date): PatientRecord {
  const rec = new PatientRecord(now, 'aisha-khan', 'ak');
  const me = rec.patient;
  patientResource(rec, {
    given: ['Aisha'], family: 'Khan', gender: 'female', birthDate: birthDateForAge(now, 34, 60),
    mrn: 'RFH-101455', email: 'aisha.khan@example.org', phone: '+1-916-555-0133',
    address: { line: '2606 Capitol Avenue, Apt 4B', city: 'Sacramento', postalCode: '95816' },
    languages: [{ code: 'en', display: 'English', preferred: true }],
  });

  const geneticLabels = [sensitivity('GDIS')];
  report(rec, {
    code: loinc('81247-9', 'Master HL7 genetic variant reporting panel'), category: 'GE',
    effective: slot(now, -24, 17), issued: shift(now, { days: -1 }), interpreter: staff(STAFF.chen),
    security: geneticLabels, landmark: 'geneticReport',
    conclusion: 'BRCA1 and BRCA2 sequencing and deletion/duplication analysis: no pathogenic or likely pathogenic variants detected.',
    results: [{
      code: loinc('69548-6', 'Genetic variant assessment'), coded: loinc('LA9634-2', 'Absent'), landmark: 'geneticResult',
      note: 'Genes analysed: BRCA1, BRCA2. A negative result lowers but does not remove inherited risk.',
    }],
  });

  // Very restricted at the patient's request: only she and her clinician see it.
  report(rec, {
    code: loinc('2106-3', 'Choriogonadotropin (pregnancy test) [Presence] in Urine'), category: 'LAB',
    effective: slot(now, -4, 17), issued: shift(now, { days: -3 }), interpreter: staff(STAFF.chen),
    security: [confidentiality('V')], landmark: 'restrictedReport',
    results: [{ code: loinc('2106-3', 'Choriogonadotropin (pregnancy test) [Presence] in Urine'), coded: RESULT_VALUES.positive, interpretation: 'POS' }],
  });

  trend(rec, {
    code: loinc('3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma'), ucum: 'm[IU]/L', unit: 'mIU/L',
    range: { low: 0.45, high: 4.5 }, values: [7.9, 6.1, 4.8, 3.6, 2.9, 2.4, 2.2],
    everyDays: 60, lastDaysAgo: 12, utcHour: 17, turnaroundHours: 8, landmarkLatest: 'tshLatest',
  });

  const session = slot(now, -15, 20);
  const note = textFile(rec, {
    title: 'Behavioral health progress note', created: shift(session, { hours: 2 }),
    security: [sensitivity('PSY'), confidentiality('R')],
    lines: [
      `Behavioral health progress note - ${longDate(session)}`,
      'Clinician: Dr. Sarah Chen (integrated behavioral health)',
      'Follow-up for low mood and poor sleep after a family bereavement.',
      'PHQ-9 score 11, improved from 15. No safety concerns reported.',
      'Plan: continue weekly therapy sessions; sleep hygiene handout; review in 4 weeks.',
    ],
  });
  documentReference(rec, {
    type: loinc('34904-3', 'Mental health Progress note'), file: note, date: shift(session, { hours: 2 }),
    author: staff(STAFF.chen), description: 'Behavioral health progress note',
    security: [sensitivity('PSY'), confidentiality('R')], period: { start: session, end: shift(session, { minutes: 50 }) },
    landmark: 'psyNote',
  });

  thread(rec, {
    purpose: 'medication-question', subject: 'Levothyroxine and morning coffee',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -20, hours: -2 }), read: shift(now, { days: -20, hours: -1 }),
        text: 'Is it fine to take my thyroid pill with my morning coffee?' },
      { from: staff(STAFF.chen), to: me, sent: shift(now, { days: -19, hours: -22 }), read: shift(now, { days: -19, hours: -20 }),
        text: 'Best on an empty stomach with water, 30 to 60 minutes before coffee or breakfast.' },
    ],
  });
  thread(rec, {
    purpose: 'billing', subject: 'Charge on my last statement',
    messages: [
      { from: me, to: staff(STAFF.alvarez), sent: shift(now, { days: -5, hours: -6 }), read: shift(now, { days: -5, hours: -4 }),
        text: 'I was charged for a lab test that my insurance should cover. Could someone check?' },
      { from: staff(STAFF.alvarez), to: me, sent: shift(now, { days: -1, hours: -3 }),
        text: 'Our billing office resubmitted the claim; you do not need to pay that amount for now.' },
    ],
  });

  appointment(rec, {
    status: 'fulfilled', start: slot(now, -70, 17), minutes: 20, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Hypothyroidism follow-up', description: 'Thyroid follow-up', practitioner: STAFF.chen,
    location: PLACES.main, created: slot(now, -90, 18),
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 14, 18), minutes: 20, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Hypothyroidism follow-up', description: 'Thyroid follow-up with Dr. Chen', practitioner: STAFF.chen,
    location: PLACES.main, created: shift(now, { days: -12 }),
    patientInstruction: 'Take your levothyroxine as usual on the morning of the visit.',
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 6, 21), minutes: 30, kind: 'FOLLOWUP', service: 'Video visit',
    reason: 'Genetic test results', description: 'Video visit to review genetic test results', practitioner: STAFF.chen,
    created: shift(now, { days: -1 }), telehealthUrl: 'https://telehealth.riverside.example/join/vv-7724-1093',
    comment: 'Video visit: open the link 10 minutes early from a private place.',
  });
  return rec;
}
