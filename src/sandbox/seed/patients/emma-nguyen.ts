import { birthDateForAge, longDate, shift, slot } from '../clock.js';
import { confidentiality, loinc, RESULT_VALUES, sensitivity } from '../codes.js';
import { appointment } from '../appointments.js';
import { documentReference, pdfFile } from '../documents.js';
import { report } from '../lab.js';
import { thread } from '../messages.js';
import { patientResource, proxyResource } from '../people.js';
import { PatientRecord } from '../record.js';
import { PLACES, STAFF, staff } from '../shared.js';

export const EMMA_DESCRIPTION =
  'Minor (15) with her mother as proxy; confidential STI result, message thread and follow-up visit hidden from the proxy, ' +
  'blood count and vitamin D visible to both, school-forms thread, sports form document';

/** Her last birthday was 140 days ago, so she is 15 at `now` whatever the date or time zone. */
export const EMMA_AGE = 15;

export function emmaNguyen(now: Date): PatientRecord {
  const rec = new PatientRecord(now, 'emma-nguyen', 'en');
  const me = rec.patient;
  patientResource(rec, {
    given: ['Emma', 'Thi'], family: 'Nguyen', gender: 'female', birthDate: birthDateForAge(now, EMMA_AGE, 140),
    mrn: 'RFH-102318', email: 'emma.nguyen@example.org', phone: '+1-916-555-0144',
    address: { line: '7725 Laguna Vista Court', city: 'Elk Grove', postalCode: '95758' },
    languages: [{ code: 'en', display: 'English', preferred: true }, { code: 'vi', display: 'Vietnamese' }],
  });
  const mother = proxyResource(rec, {
    id: 'rp-linh-nguyen', given: ['Linh'], family: 'Nguyen', gender: 'female',
    relationship: { code: 'MTH', display: 'mother' }, email: 'linh.nguyen@example.org', phone: '+1-916-555-0145',
  });
  const motherRef = { reference: `RelatedPerson/${mother.id}`, display: 'Linh Nguyen' };

  // Minor-consented sexual health care (Cal. Family Code §6926): not shared with the parent.
  const stiLabels = [sensitivity('STD'), confidentiality('R')];
  report(rec, {
    code: loinc('43304-5', 'Chlamydia trachomatis rRNA [Presence] in Specimen by NAA with probe detection'), category: 'LAB',
    effective: slot(now, -5, 18), issued: shift(now, { days: -3 }), interpreter: staff(STAFF.chen),
    security: stiLabels, landmark: 'stiReport',
    results: [{
      code: loinc('43304-5', 'Chlamydia trachomatis rRNA [Presence] in Specimen by NAA with probe detection'),
      coded: RESULT_VALUES.detected, interpretation: 'POS', landmark: 'stiResult',
    }],
  });

  const physical = slot(now, -40, 23);
  report(rec, {
    code: loinc('58410-2', 'CBC panel - Blood by Automated count'), category: 'LAB',
    effective: shift(physical, { minutes: 30 }), issued: shift(physical, { hours: 6 }), interpreter: staff(STAFF.chen),
    results: [
      { code: loinc('6690-2', 'Leukocytes [#/volume] in Blood by Automated count'), measured: { value: 7.1, ucum: '10*3/uL', range: { low: 4.5, high: 13.0 } } },
      { code: loinc('718-7', 'Hemoglobin [Mass/volume] in Blood'), measured: { value: 12.9, ucum: 'g/dL', range: { low: 12.0, high: 16.0 } } },
      { code: loinc('777-3', 'Platelets [#/volume] in Blood by Automated count'), measured: { value: 268, ucum: '10*3/uL', range: { low: 150, high: 400 } } },
    ],
  });
  report(rec, {
    code: loinc('62292-8', '25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma'), category: 'LAB',
    effective: shift(physical, { minutes: 30 }), issued: shift(physical, { days: 1 }), interpreter: staff(STAFF.chen),
    landmark: 'vitaminDReport',
    results: [{
      code: loinc('62292-8', '25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma'),
      measured: { value: 22, ucum: 'ng/mL', range: { low: 30, high: 100 } },
    }],
  });

  thread(rec, {
    purpose: 'test-result-question', subject: 'Question about my recent test',
    security: [sensitivity('STD'), sensitivity('SEX'), confidentiality('R')], landmark: 'confidentialThread',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -2, hours: -6 }), read: shift(now, { days: -2, hours: -5 }),
        text: 'I saw my result is ready. Does it mean I need medicine? Please do not call my home phone.' },
      { from: staff(STAFF.chen), to: me, sent: shift(now, { days: -2, hours: -2 }), read: shift(now, { days: -2, hours: -1 }),
        text: 'Yes, it is easy to treat. I sent a one-time antibiotic to the pharmacy. This stays between us; we will only contact your cell phone.' },
    ],
  });
  thread(rec, {
    purpose: 'other', subject: 'Sports physical form for school', landmark: 'schoolFormsThread',
    messages: [
      { from: motherRef, to: staff(STAFF.chen), sent: shift(physical, { days: 2 }), read: shift(physical, { days: 2, hours: 3 }),
        text: 'Could you fill in the school sports form from Emma\'s physical? Soccer season starts soon.' },
      { from: staff(STAFF.alvarez), to: motherRef, sent: shift(physical, { days: 3 }), read: shift(physical, { days: 3, hours: 2 }),
        text: 'The signed form is now under Documents in the portal.' },
    ],
  });

  const form = pdfFile(rec, {
    title: 'School sports physical form', created: shift(physical, { days: 3 }),
    heading: 'Pre-participation physical evaluation - clearance',
    lines: [
      `Student: Emma Nguyen    Exam date: ${longDate(physical)}`,
      'Cleared for all sports without restriction.',
      'Signed: Sarah Chen, MD - Riverside Family Health',
    ],
  });
  documentReference(rec, {
    type: loinc('34109-9', 'Note'), file: form, date: shift(physical, { days: 3 }), author: staff(STAFF.chen),
    description: 'School sports physical form', landmark: 'sportsForm',
  });

  appointment(rec, {
    status: 'fulfilled', start: physical, minutes: 30, kind: 'CHECKUP', service: 'Pediatric primary care',
    reason: 'Sports physical', description: 'Sports physical with Dr. Chen', practitioner: STAFF.chen,
    location: PLACES.main, created: slot(now, -55, 18),
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 21, 22), minutes: 30, kind: 'CHECKUP', service: 'Pediatric primary care',
    reason: 'Well-adolescent visit', description: 'Yearly check-up with Dr. Chen', practitioner: STAFF.chen,
    location: PLACES.main, created: shift(now, { days: -30 }),
    patientInstruction: 'Part of the visit is private between Emma and Dr. Chen, as for every teenager.',
  });
  // Her follow-up for the confidential care: on her calendar, not her mother's.
  appointment(rec, {
    status: 'booked', start: slot(now, 9, 23), minutes: 20, kind: 'FOLLOWUP', service: 'Adolescent health',
    reason: 'Follow-up after treatment', description: 'Follow-up visit with Dr. Chen', practitioner: STAFF.chen,
    location: PLACES.main, created: shift(now, { days: -2 }),
    patientInstruction: 'This visit is confidential. Reminders go to your cell phone only.',
    security: stiLabels, landmark: 'confidentialVisit',
  });
  return rec;
}
