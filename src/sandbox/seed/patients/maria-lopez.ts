import { birthDateForAge, longDate, quarterHourFrom, shift, slot } from '../clock.js';
import { confidentiality, loinc, RESULT_VALUES, sensitivity } from '../codes.js';
import { appointment } from '../appointments.js';
import { documentReference, pdfFile, textFile } from '../documents.js';
import { observation, report, trend } from '../lab.js';
import { thread } from '../messages.js';
import { patientResource } from '../people.js';
import { PatientRecord } from '../record.js';
import { PLACES, STAFF, staff } from '../shared.js';

export const MARIA_DESCRIPTION =
  'Adult (58, Spanish and English); lipid panel released at once, HIV test held until released, ' +
  'preliminary and amended reports, HbA1c trend, message threads with an unread reply, upcoming video visit and a visit tomorrow';

export function mariaLopez(now: Date): PatientRecord {
  const rec = new PatientRecord(now, 'maria-lopez', 'ml');
  const me = rec.patient;
  patientResource(rec, {
    given: ['Maria', 'Elena'], family: 'Lopez', gender: 'female', birthDate: birthDateForAge(now, 58, 200),
    mrn: 'RFH-100231', email: 'maria.lopez@example.org', phone: '+1-916-555-0111',
    address: { line: '4417 Alder Creek Way', city: 'Sacramento', postalCode: '95823' },
    languages: [{ code: 'es', display: 'Spanish', preferred: true }, { code: 'en', display: 'English' }],
  });

  // Lipid panel: ordinary chemistry, drawn this morning and resulted minutes ago.
  const lipidDrawn = shift(now, { hours: -4 });
  report(rec, {
    code: loinc('57698-3', 'Lipid panel with direct LDL - Serum or Plasma'), category: 'LAB',
    effective: lipidDrawn, issued: shift(now, { minutes: -25 }), interpreter: staff(STAFF.chen), landmark: 'lipidReport',
    results: [
      { code: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), measured: { value: 212, ucum: 'mg/dL', range: { high: 200 } } },
      { code: loinc('2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma'), measured: { value: 168, ucum: 'mg/dL', range: { high: 150 } } },
      { code: loinc('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma'), measured: { value: 52, ucum: 'mg/dL', range: { low: 40 } } },
      { code: loinc('13457-7', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation'), measured: { value: 126, ucum: 'mg/dL', range: { high: 100 } } },
    ],
  });

  trend(rec, {
    code: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), ucum: '%', range: { low: 4.0, high: 5.6 },
    values: [6.4, 6.3, 6.2, 6.0, 5.9, 5.8, 5.7, 5.6, 5.5, 5.6, 5.4, 5.5],
    everyDays: 30, lastDaysAgo: 9, utcHour: 16, turnaroundHours: 7, landmarkLatest: 'hba1cLatest',
  });

  const visit = slot(now, -21, 16, 30);
  report(rec, {
    code: loinc('58410-2', 'CBC panel - Blood by Automated count'), category: 'LAB',
    effective: shift(visit, { minutes: 40 }), issued: shift(visit, { hours: 5 }), interpreter: staff(STAFF.chen), landmark: 'cbcReport',
    results: [
      { code: loinc('6690-2', 'Leukocytes [#/volume] in Blood by Automated count'), measured: { value: 6.8, ucum: '10*3/uL', range: { low: 4.0, high: 11.0 } } },
      { code: loinc('718-7', 'Hemoglobin [Mass/volume] in Blood'), measured: { value: 11.2, ucum: 'g/dL', range: { low: 12.0, high: 15.5 } } },
      { code: loinc('777-3', 'Platelets [#/volume] in Blood by Automated count'), measured: { value: 245, ucum: '10*3/uL', range: { low: 150, high: 400 } } },
    ],
  });

  observation(rec, {
    code: loinc('85354-9', 'Blood pressure panel with all children optional'), category: 'vital-signs', landmark: 'bloodPressure',
    components: [
      { code: loinc('8480-6', 'Systolic blood pressure'), measured: { value: 138, ucum: 'mm[Hg]', range: { low: 90, high: 130 } } },
      { code: loinc('8462-4', 'Diastolic blood pressure'), measured: { value: 84, ucum: 'mm[Hg]', range: { low: 60, high: 80 } } },
    ],
  }, { effective: shift(visit, { minutes: 5 }), issued: shift(visit, { minutes: 6 }), performer: [staff(STAFF.alvarez)] });

  // HIV screen: California requires a conversation before electronic release (HSC §123148).
  report(rec, {
    code: loinc('75622-1', 'HIV 1 and 2 Ab and HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay'), category: 'LAB',
    effective: slot(now, -3, 17), issued: shift(now, { days: -1 }), interpreter: staff(STAFF.chen),
    security: [sensitivity('HIV'), confidentiality('R')], landmark: 'hivReport',
    results: [{
      code: loinc('75622-1', 'HIV 1 and 2 Ab and HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay'),
      coded: RESULT_VALUES.negative, interpretation: 'N', landmark: 'hivResult',
    }],
  });

  report(rec, {
    code: loinc('630-4', 'Bacteria identified in Urine by Culture'), category: 'LAB', status: 'preliminary',
    effective: shift(now, { hours: -30 }), issued: shift(now, { hours: -6 }), landmark: 'preliminaryReport',
    results: [{
      code: loinc('630-4', 'Bacteria identified in Urine by Culture'),
      text: 'Gram-negative rods, more than 100,000 CFU/mL. Identification and susceptibility to follow.',
    }],
  });

  const bmpDrawn = slot(now, -60, 16);
  report(rec, {
    code: loinc('51990-0', 'Basic metabolic panel - Blood'), category: 'LAB', status: 'amended',
    effective: bmpDrawn, issued: slot(now, -58, 20), interpreter: staff(STAFF.chen), landmark: 'amendedReport',
    conclusion: 'Amended: glucose corrected after the specimen was re-run; the first value was reported in error.',
    results: [
      { code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'), measured: { value: 104, ucum: 'mg/dL', range: { low: 70, high: 99 } },
        note: 'Corrected value after repeat analysis.' },
      { code: loinc('2951-2', 'Sodium [Moles/volume] in Serum or Plasma'), measured: { value: 139, ucum: 'mmol/L', range: { low: 136, high: 145 } } },
      { code: loinc('2823-3', 'Potassium [Moles/volume] in Serum or Plasma'), measured: { value: 4.2, ucum: 'mmol/L', range: { low: 3.5, high: 5.1 } } },
      { code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), measured: { value: 0.8, ucum: 'mg/dL', range: { low: 0.5, high: 1.1 } } },
    ],
  });

  const summary = pdfFile(rec, {
    title: 'Visit summary', created: shift(visit, { hours: 2 }),
    heading: 'Riverside Family Health - Visit summary',
    lines: [
      `Patient: Maria Lopez    Visit date: ${longDate(visit)}`,
      'Clinician: Dr. Sarah Chen, Family Medicine',
      'Reason for visit: annual wellness visit.',
      'Blood pressure 138/84. Hemoglobin slightly low; repeat blood count in 3 months.',
      'Plan: walk 30 minutes on most days, continue lisinopril 10 mg daily.',
      'Questions? Call (916) 555-0140 or send a portal message.',
    ],
  });
  documentReference(rec, {
    type: loinc('34133-9', 'Summary of episode note'), file: summary, date: shift(visit, { hours: 2 }),
    author: staff(STAFF.chen), description: 'Visit summary', period: { start: visit, end: shift(visit, { minutes: 30 }) },
    landmark: 'visitSummary',
  });
  const plan = textFile(rec, {
    title: 'Care plan', created: shift(visit, { hours: 3 }),
    lines: [
      'Care plan - Maria Lopez',
      '',
      'Goals: HbA1c below 5.7%, blood pressure below 130/80.',
      '1. Walk 30 minutes, 5 days a week.',
      '2. Half plate vegetables at lunch and dinner; water instead of juice.',
      '3. Check blood pressure at home twice a week and bring the log to visits.',
      '4. Repeat HbA1c and blood count in 3 months.',
    ],
  });
  documentReference(rec, {
    type: loinc('18776-5', 'Plan of care note'), file: plan, date: shift(visit, { hours: 3 }),
    author: staff(STAFF.chen), description: 'Care plan', landmark: 'carePlan',
  });

  const handout = pdfFile(rec, {
    title: 'Eating well with prediabetes', created: shift(now, { days: -11, hours: -20 }),
    heading: 'Eating well with prediabetes',
    lines: [
      'Choose whole grains, beans and vegetables; limit sweet drinks.',
      'Take metformin with your largest meal to ease stomach upset.',
      'Riverside Family Health - (916) 555-0140',
    ],
  });
  const metformin = thread(rec, {
    purpose: 'medication-question', subject: 'Metformin and stomach upset', landmark: 'metforminThread',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -12, hours: -3 }), read: shift(now, { days: -12, hours: -1 }),
        text: 'Since I started metformin my stomach has been upset after breakfast. Should I keep taking it?' },
      { from: staff(STAFF.chen), to: me, sent: shift(now, { days: -11, hours: -20 }), read: shift(now, { days: -11, hours: -8 }),
        text: 'Please keep taking it, but with dinner instead of breakfast. I attached a handout with food tips. Let me know if it is not better in two weeks.',
        attachment: handout.attachment, landmark: 'staffMessageWithPdf' },
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -11, hours: -7 }), read: shift(now, { days: -11, hours: -5 }),
        text: 'Thank you, I will try that.' },
    ],
  });
  handout.binary.securityContext = { reference: `Communication/${metformin.messages[1]!.id}` };

  thread(rec, {
    purpose: 'test-result-question', subject: 'Is my low hemoglobin a problem?', landmark: 'unreadThread',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -2, hours: -4 }), read: shift(now, { days: -2, hours: -2 }),
        text: 'My blood count says hemoglobin is low. Do I need iron pills?' },
      { from: staff(STAFF.alvarez), to: me, sent: shift(now, { hours: -3 }), landmark: 'unreadReply',
        text: 'Dr. Chen reviewed it: the drop is small. She suggests iron-rich foods and a repeat test in 3 months; no pills for now.' },
    ],
  });

  thread(rec, {
    purpose: 'appointment-question', subject: 'Intérprete para mi cita',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -30, hours: -5 }), read: shift(now, { days: -30, hours: -4 }),
        text: '¿Puedo tener un intérprete de español en mi próxima cita?' },
      { from: staff(STAFF.alvarez), to: me, sent: shift(now, { days: -30, hours: -2 }), read: shift(now, { days: -30 }),
        text: 'Sí, ya lo anotamos en su cita. El intérprete estará presente sin costo.' },
    ],
  });

  thread(rec, {
    purpose: 'refill-request', subject: 'Refill: lisinopril 10 mg',
    messages: [
      { from: me, to: staff(STAFF.chen), sent: shift(now, { days: -45, hours: -6 }), read: shift(now, { days: -45, hours: -5 }),
        text: 'Please refill my lisinopril 10 mg. I have 5 pills left. Same pharmacy as before.' },
      { from: staff(STAFF.alvarez), to: me, sent: shift(now, { days: -45, hours: -2 }), read: shift(now, { days: -45, hours: -1 }),
        text: 'Done: 90 days with 1 refill, sent to your pharmacy.' },
    ],
  });

  const mainClinic = PLACES.main;
  appointment(rec, {
    status: 'fulfilled', start: visit, minutes: 30, kind: 'CHECKUP', service: 'Primary care',
    reason: 'Annual wellness visit', description: 'Annual wellness visit with Dr. Chen',
    practitioner: STAFF.chen, location: mainClinic, created: slot(now, -50, 18),
  });
  appointment(rec, {
    status: 'fulfilled', start: slot(now, -95, 17), minutes: 20, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Blood pressure follow-up', description: 'Blood pressure check', practitioner: STAFF.chen,
    location: mainClinic, created: slot(now, -110, 19),
  });
  appointment(rec, {
    status: 'booked', start: quarterHourFrom(now, { hours: 26 }), minutes: 15, kind: 'ROUTINE', service: 'Laboratory',
    reason: 'Fasting blood tests', description: 'Fasting lab draw', practitioner: STAFF.alvarez,
    location: PLACES.lab, created: shift(now, { days: -9 }), landmark: 'reminderAppointment',
    patientInstruction: 'Do not eat for 10 to 12 hours before; water and your usual medicines are fine.',
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 4, 22), minutes: 20, kind: 'FOLLOWUP', service: 'Video visit',
    reason: 'Review cholesterol results', description: 'Video visit with Dr. Chen', practitioner: STAFF.chen,
    created: shift(now, { days: -6 }), landmark: 'videoVisit',
    telehealthUrl: 'https://telehealth.riverside.example/join/vv-5310-8842',
    comment: 'Video visit: open the link 10 minutes early from a quiet, private place and allow camera and microphone.',
    patientInstruction: 'Have your home blood pressure log and medicine list ready.',
  });
  appointment(rec, {
    status: 'booked', start: slot(now, 10, 17, 30), minutes: 30, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Prediabetes follow-up', description: 'Follow-up with Dr. Chen (Spanish interpreter booked)',
    practitioner: STAFF.chen, location: mainClinic, created: shift(now, { days: -20 }), landmark: 'upcomingVisit',
    patientInstruction: 'Bring all your medicines and your blood pressure log. Arrive 15 minutes early.',
  });
  appointment(rec, {
    status: 'proposed', requested: { start: slot(now, 28, 16), end: slot(now, 32, 20) }, kind: 'ROUTINE',
    service: 'Primary care', reason: 'Knee pain when climbing stairs', description: 'Appointment request: knee pain',
    practitioner: STAFF.chen, location: mainClinic, created: shift(now, { hours: -5 }), landmark: 'proposedAppointment',
    comment: 'Mornings are best for me.',
  });
  appointment(rec, {
    status: 'cancelled', start: slot(now, 7, 18), minutes: 20, kind: 'FOLLOWUP', service: 'Primary care',
    reason: 'Blood pressure follow-up', description: 'Blood pressure check', practitioner: STAFF.chen,
    location: mainClinic, created: shift(now, { days: -25 }), cancelledBy: 'pat',
    cancelReason: 'Work conflict; patient will reschedule.', landmark: 'cancelledAppointment',
  });
  return rec;
}
