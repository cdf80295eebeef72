import { birthDateForAge, longDate, shift, slot } from '../clock.js';
import { loinc, sensitivity, snomed } from '../codes.js';
import { appointment } from '../appointments.js';
import { documentReference, guard, pdfFile } from '../documents.js';
import { report, trend } from '../lab.js';
import { thread } from '../messages.js';
import { patientResource } from '../people.js';
import { PatientRecord, ref } from '../record.js';
import { PLACES, STAFF, staff } from '../shared.js';

export const JAMES_DESCRIPTION =
  'Older adult (66); prostate biopsy showing cancer inside its 3-business-day delay, rising PSA, ' +
  'chest X-ray, a CT held from the patient (NOPAT), critical high potassium, oncology consult booked';

export function jamesCarter(now: Date): PatientRecord {
  const rec = new PatientRecord(now, 'james-carter', 'jc');
  const me = rec.patient;
  patientResource(rec, {
    given: ['James', 'Robert'], family: 'Carter', gender: 'male', birthDate: birthDateForAge(now, 66, 95),
    mrn: 'RFH-100872', email: 'james.carter@example.org', phone: '+1-916-555-0122',
    address: { line: '918 Poplar Ridge Drive', city: 'Elk Grove', postalCode: '95758' },
    languages: [{ code: 'en', display: 'English', preferred: true }],
  });

  trend(rec, {
    code: loinc('2857-1', 'Prostate specific Ag [Mass/volume] in Serum or Plasma'), ucum: 'ng/mL', range: { high: 4.0 },
    values: [2.4, 2.9, 3.3, 3.9, 4.6, 5.4, 6.3, 7.1],
    everyDays: 60, lastDaysAgo: 20, utcHour: 16, turnaroundHours: 26, landmarkLatest: 'psaLatest',
  });

  // Pathology: issued 2 days ago, so still inside a 3-business-day release delay.
  const biopsy = slot(now, -6, 17);
  const issued = shift(now, { days: -2 });
  const conclusion =
    'Adenocarcinoma of the prostate, Gleason score 3+4=7 (Grade Group 2), in 4 of 12 cores; no perineural invasion identified.';
  const pathPdf = pdfFile(rec, {
    title: 'Surgical pathology report', created: issued,
    heading: 'Riverside Family Health Laboratory - Surgical pathology',
    lines: [
      `Patient: James Carter    Collected: ${longDate(biopsy)}`,
      'Specimen: prostate, needle core biopsies x12 (left and right).',
      `Diagnosis: ${conclusion}`,
      'Pathologist: Kenji Okada, MD',
    ],
  });
  const pathology = report(rec, {
    code: loinc('60567-5', 'Comprehensive pathology report panel'), category: 'PAT',
    effective: biopsy, issued, interpreter: staff(STAFF.okada), landmark: 'pathologyReport',
    conclusion, conclusionCode: snomed('399068003', 'Malignant tumor of prostate'), presentedForm: pathPdf.attachment,
    results: [
      { code: loinc('22637-3', 'Pathology report final diagnosis Narrative'), text: conclusion },
      { code: loinc('35266-6', 'Gleason score in Specimen Qualitative'), text: '3+4=7 (Grade Group 2)' },
    ],
  }).report;
  guard(pathPdf, pathology);
  documentReference(rec, {
    type: loinc('11526-1', 'Pathology study'), file: pathPdf, date: issued, author: staff(STAFF.okada),
    description: 'Surgical pathology report', related: [ref(pathology)], landmark: 'pathologyDocument',
  });

  report(rec, {
    code: loinc('36643-5', 'XR Chest 2 Views'), category: 'RAD', effective: slot(now, -40, 18), issued: slot(now, -40, 22),
    interpreter: staff(STAFF.chen), landmark: 'chestXray',
    conclusion: 'No acute cardiopulmonary abnormality. Heart size is normal.', results: [],
  });

  // A clinician marked this staging CT "do not disclose" until the oncologist has seen him.
  report(rec, {
    code: loinc('24627-2', 'CT Chest'), category: 'RAD', effective: slot(now, -3, 19), issued: shift(now, { hours: -20 }),
    interpreter: staff(STAFF.patel), security: [sensitivity('NOPAT')], landmark: 'nopatReport',
    conclusion: 'Several new bilateral pulmonary nodules up to 9 mm; metastatic disease is a consideration. Oncology review recommended.',
    results: [],
  });

  report(rec, {
    code: loinc('51990-0', 'Basic metabolic panel - Blood'), category: 'LAB',
    effective: shift(now, { hours: -6 }), issued: shift(now, { hours: -2 }), interpreter: staff(STAFF.chen), landmark: 'criticalReport',
    results: [
      { code: loinc('2823-3', 'Potassium [Moles/volume] in Serum or Plasma'), landmark: 'criticalPotassium',
        measured: { value: 6.4, ucum: 'mmol/L', range: { low: 3.5, high: 5.1, criticalLow: 2.8, criticalHigh: 6.0 } } },
      { code: loinc('2951-2', 'Sodium [Moles/volume] in Serum or Plasma'), measured: { value: 137, ucum: 'mmol/L', range: { low: 136, high: 145 } } },
      { code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), measured: { value: 1.2, ucum: 'mg/dL', range: { low: 0.7, high: 1.3 } } },
      { code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'), measured: { value: 96, ucum: 'mg/dL', range: { low: 70, high: 99 } } },
    ],
  });

  thread(rec, {
    purpose: 'test-result-question', subject: 'When will I hear about my biopsy?',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -4, hours: -5 }), read: shift(now, { days: -4, hours: -3 }),
        text: 'How long does it take to get biopsy results? I am anxious to know.' },
      { from: staff(STAFF.alvarez), to: me, sent: shift(now, { days: -4, hours: -1 }), read: shift(now, { days: -4 }),
        text: 'Usually 3 to 5 days. Dr. Patel will go over the results with you at your visit.' },
    ],
  });
  thread(rec, {
    purpose: 'appointment-question', subject: 'Parking for the oncology visit',
    messages: [
      { from: me, to: staff(STAFF.patel), sent: shift(now, { days: -1, hours: -2 }),
        read: shift(now, { days: -1, hours: -1 }), text: 'Where do I park for my visit with Dr. Patel?' },
    ],
  });

  appointment(rec, {
    status: 'fulfilled', start: biopsy, minutes: 45, kind: 'ROUTINE', service: 'Urology procedure',
    reason: 'Rising PSA', description: 'Prostate biopsy', practitioner: STAFF.patel, location: PLACES.main,
    created: slot(now, -20, 18), patientInstruction: 'Take the antibiotic the morning of the procedure.',
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 3, 16), minutes: 15, kind: 'ROUTINE', service: 'Laboratory',
    reason: 'Repeat potassium', description: 'Lab draw', practitioner: STAFF.alvarez, location: PLACES.lab,
    created: shift(now, { hours: -1 }), patientInstruction: 'No need to fast.',
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 5, 18), minutes: 60, kind: 'FOLLOWUP', service: 'Oncology',
    reason: 'Discuss biopsy results', description: 'Oncology consultation with Dr. Patel', practitioner: STAFF.patel,
    location: PLACES.main, created: shift(now, { days: -2 }), landmark: 'oncologyConsult',
    patientInstruction: 'You are welcome to bring a family member. Bring a list of your medicines.',
  });
  return rec;
}
