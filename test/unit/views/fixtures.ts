/**
 * Hand-built FHIR R4 resources shaped like what Epic / HAPI searches return for one patient,
 * with `_include`d senders, practitioners and locations.
 */
import type {
  Appointment,
  Communication,
  DiagnosticReport,
  DocumentReference,
  Endpoint,
  Location,
  Observation,
  Organization,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
  Patient,
} from 'fhir/r4.js';
import type { ViewContext } from '../../../src/views/view-context.js';

/** Intl puts thin and narrow no-break spaces around times; compare with plain spaces. */
export const plain = (s: string | null | undefined) => s?.replace(/[\u202f\u2009\u00a0]/g, ' ');

export const NOW = new Date('2025-06-01T12:00:00Z');

export const ctx = (over: Partial<ViewContext> = {}): ViewContext => ({
  timeZone: 'America/New_York',
  locale: 'en',
  now: NOW,
  patientRef: 'Patient/p1',
  viewerRef: 'Patient/p1',
  ...over,
});

const LOINC = 'http://loinc.org';
const loinc = (code: string, display: string) => ({ coding: [{ system: LOINC, code, display }], text: display });
const qty = (value: number, unit: string) => ({ value, unit, system: 'http://unitsofmeasure.org', code: unit });
const flag = (code: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code }] },
];

// ---------- people and places ----------
export const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  name: [
    { use: 'official', given: ['Maria', 'Elena'], family: 'Lopez' },
    { use: 'maiden', given: ['Maria'], family: 'Garcia' },
  ],
};
export const mother: RelatedPerson = {
  resourceType: 'RelatedPerson',
  id: 'rp1',
  patient: { reference: 'Patient/p1' },
  name: [{ given: ['Ana'], family: 'Lopez' }],
};
export const drKim: Practitioner = {
  resourceType: 'Practitioner',
  id: 'pr1',
  name: [{ prefix: ['Dr.'], given: ['Susan'], family: 'Kim', suffix: ['MD'] }],
};
export const nurseRole: PractitionerRole = {
  resourceType: 'PractitionerRole',
  id: 'role1',
  practitioner: { reference: 'Practitioner/pr2' },
  specialty: [{ text: 'Cardiology' }],
};
export const nurse: Practitioner = { resourceType: 'Practitioner', id: 'pr2', name: [{ text: 'Tom Reyes, RN' }] };
export const clinic: Organization = { resourceType: 'Organization', id: 'org1', name: 'Riverside Family Clinic' };
export const mainStreet: Location = {
  resourceType: 'Location',
  id: 'loc1',
  name: 'Riverside Clinic – Main Street',
  address: { line: ['12 Main St', 'Suite 200'], city: 'Springfield', state: 'MA', postalCode: '01101' },
  telecom: [{ system: 'phone', value: '413-555-0100' }],
};

// ---------- messages ----------
const comm = (c: Omit<Communication, 'resourceType'>): Communication => ({ resourceType: 'Communication', ...c });
/** A thread with a header: patient asks, nurse answers with an attachment, doctor follows up. */
export const thread1: Communication[] = [
  comm({
    id: 'h1',
    status: 'in-progress',
    subject: { reference: 'Patient/p1' },
    topic: { text: 'Question about my blood pressure pills' },
    category: [{ coding: [{ system: 'https://example.org/portal-message-purpose', code: 'medication-question' }] }],
    recipient: [{ reference: 'Practitioner/pr1' }],
  }),
  comm({
    id: 'm1',
    status: 'completed',
    partOf: [{ reference: 'Communication/h1' }],
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Patient/p1' },
    sent: '2025-05-20T14:05:00Z',
    payload: [{ contentString: 'Should I take lisinopril in the morning or at night?' }],
  }),
  comm({
    id: 'm2',
    status: 'completed',
    partOf: [{ reference: 'Communication/h1' }],
    inResponseTo: [{ reference: 'Communication/m1' }],
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'PractitionerRole/role1' },
    sent: '2025-05-21T09:30:00-04:00',
    payload: [
      { contentString: 'Morning is best. I attached the instructions.' },
      { contentAttachment: { contentType: 'application/pdf', title: 'Lisinopril instructions.pdf', size: 48213, url: 'Binary/b1' } },
      { contentReference: { reference: 'DocumentReference/d1', display: 'Care plan' } },
    ],
  }),
  comm({
    id: 'm3',
    status: 'completed',
    partOf: [{ reference: 'Communication/h1' }],
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Practitioner/pr1' },
    sent: '2025-05-22T16:00:00Z',
    payload: [{ contentString: 'Let us check your pressure again in two weeks.' }],
  }),
  // A staff draft: must not be shown.
  comm({
    id: 'm4',
    status: 'preparation',
    partOf: [{ reference: 'Communication/h1' }],
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Practitioner/pr1' },
    sent: '2025-05-23T16:00:00Z',
    payload: [{ contentString: 'Draft not ready' }],
  }),
];
/** An EHR without headers: an inResponseTo chain, started by the mother (proxy). */
export const thread2: Communication[] = [
  comm({
    id: 'c1',
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'RelatedPerson/rp1' },
    sent: '2025-04-01T10:00:00Z',
    topic: { text: 'Refill' },
    category: [{ coding: [{ code: 'refill-request' }] }],
    payload: [{ contentString: 'Please refill her inhaler.' }],
  }),
  comm({
    id: 'c2',
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    inResponseTo: [{ reference: 'Communication/c1' }],
    sender: { reference: 'Organization/org1' },
    sent: '2025-04-01T15:00:00Z',
    received: '2025-04-01T16:00:00Z',
    payload: [{ contentString: 'Sent to your pharmacy.' }],
  }),
];
/** Stand-alone messages that only share a topic. */
export const thread3: Communication[] = [
  comm({
    id: 't1',
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Patient/p1' },
    sent: '2025-03-01T10:00:00Z',
    topic: { text: 'Bill from March' },
    category: [{ coding: [{ code: 'something-local' }] }],
    payload: [{ contentString: 'Why was I charged twice?' }],
  }),
  comm({
    id: 't2',
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Practitioner/unknown', display: 'Billing Office' },
    sent: '2025-03-02T10:00:00Z',
    topic: { text: 'RE: bill from  march' },
    payload: [{ contentString: 'We fixed it, sorry.' }],
  }),
];

// ---------- appointments ----------
const appt = (a: Omit<Appointment, 'resourceType'>): Appointment => ({ resourceType: 'Appointment', ...a });
const videoEndpoint: Endpoint = { resourceType: 'Endpoint', id: 'ep', status: 'active', address: 'https://video.example.org/join/abc123', connectionType: { code: 'https' }, payloadType: [{ text: 'video' }] };
const me = { actor: { reference: 'Patient/p1' }, status: 'accepted' as const };
export const appointments: Appointment[] = [
  appt({
    id: 'a-up',
    status: 'booked',
    description: 'Blood pressure check',
    start: '2025-06-10T13:00:00Z',
    end: '2025-06-10T13:30:00Z',
    patientInstruction: 'Bring your medicines; arrive 15 minutes early.',
    meta: { lastUpdated: '2025-05-30T08:00:00Z' },
    participant: [
      me,
      { actor: { reference: 'Practitioner/pr1' }, status: 'accepted' },
      { actor: { reference: 'Location/loc1' }, status: 'accepted' },
    ],
  }),
  appt({
    id: 'a-video',
    status: 'booked',
    serviceType: [{ text: 'Video visit' }],
    start: '2025-06-03T18:00:00Z',
    end: '2025-06-03T18:20:00Z',
    contained: [
      videoEndpoint,
    ],
    participant: [me, { actor: { reference: 'PractitionerRole/role1' }, status: 'accepted' }],
  }),
  appt({
    id: 'a-past',
    status: 'fulfilled',
    appointmentType: { text: 'Annual physical' },
    start: '2025-01-15T15:00:00Z',
    end: '2025-01-15T15:40:00Z',
    participant: [me, { actor: { reference: 'Practitioner/pr1' }, status: 'accepted' }],
  }),
  appt({
    id: 'a-booked-past',
    status: 'booked',
    start: '2025-05-01T15:00:00Z',
    end: '2025-05-01T15:20:00Z',
    participant: [me],
  }),
  appt({
    id: 'a-req',
    status: 'pending',
    description: 'Follow-up',
    requestedPeriod: [{ start: '2025-06-15T13:00:00Z', end: '2025-06-15T21:00:00Z' }],
    participant: [me, { actor: { reference: 'Location/loc9', display: 'Main Street' }, status: 'needs-action' }],
  }),
  appt({
    id: 'a-cancel',
    status: 'cancelled',
    description: 'Skin check',
    start: '2025-05-25T14:00:00Z',
    end: '2025-05-25T14:15:00Z',
    participant: [me],
  }),
  appt({
    id: 'a-noshow',
    status: 'noshow',
    start: '2025-02-25T14:00:00Z',
    participant: [me],
  }),
  appt({ id: 'a-err', status: 'entered-in-error', start: '2025-06-20T14:00:00Z', participant: [me] }),
];

// ---------- results ----------
const obs = (o: Omit<Observation, 'resourceType' | 'status'> & { status?: Observation['status'] }): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  subject: { reference: 'Patient/p1' },
  ...o,
});
export const lipidObs: Observation[] = [
  obs({ id: 'chol', code: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), effectiveDateTime: '2025-05-10T08:00:00Z', valueQuantity: qty(212, 'mg/dL'), referenceRange: [{ high: qty(200, 'mg/dL') }] }),
  obs({ id: 'trig', code: loinc('2571-8', 'Triglycerides'), effectiveDateTime: '2025-05-10T08:00:00Z', valueQuantity: qty(140, 'mg/dL'), referenceRange: [{ high: qty(150, 'mg/dL') }] }),
  obs({ id: 'ldl', code: loinc('18262-6', 'LDL Cholesterol'), effectiveDateTime: '2025-05-10T08:00:00Z', valueQuantity: qty(130, 'mg/dL'), interpretation: flag('H') }),
  obs({ id: 'hdl', code: loinc('2085-9', 'HDL Cholesterol'), effectiveDateTime: '2025-05-10T08:00:00Z', valueQuantity: qty(55, 'mg/dL'), interpretation: flag('N'), referenceRange: [{ low: qty(40, 'mg/dL'), text: '>= 40 mg/dL' }] }),
];
/** Last year's cholesterol, so the 2093-3 trend has two points. */
export const oldChol = obs({ id: 'chol-2024', code: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), effectiveDateTime: '2024-05-02T08:00:00Z', valueQuantity: qty(190, 'mg/dL') });
export const lipidPanel: DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'lipid',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
  code: loinc('57698-3', 'Lipid panel'),
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2025-05-10T08:00:00Z',
  issued: '2025-05-11T10:00:00Z',
  performer: [{ reference: 'Organization/org1' }],
  result: lipidObs.map((o) => ({ reference: `Observation/${o.id}` })),
  presentedForm: [{ contentType: 'application/pdf', title: 'Lipid panel report', size: 10240 }],
};
/** A CBC whose Observations are contained, with an H, an L and a critical (LL) value. */
export const cbc: DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'cbc',
  status: 'amended',
  category: [{ coding: [{ code: 'HM' }] }],
  code: loinc('58410-2', 'CBC panel - Blood by Automated count'),
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2025-05-28T07:00:00Z',
  issued: '2025-05-29T07:00:00Z',
  performer: [{ reference: 'Practitioner/pr1' }],
  contained: [
    obs({ id: 'wbc', code: loinc('6690-2', 'WBC'), valueQuantity: qty(11.8, '10*3/uL'), interpretation: flag('H'), referenceRange: [{ low: qty(4, '10*3/uL'), high: qty(11, '10*3/uL') }] }),
    obs({ id: 'hgb', code: loinc('718-7', 'Hemoglobin'), valueQuantity: qty(11.2, 'g/dL'), interpretation: flag('L'), referenceRange: [{ low: qty(12, 'g/dL'), high: qty(16, 'g/dL') }] }),
    obs({ id: 'plt', code: loinc('777-3', 'Platelets'), valueQuantity: qty(18, '10*3/uL'), interpretation: flag('LL'), referenceRange: [{ low: qty(150, '10*3/uL'), high: qty(400, '10*3/uL') }] }),
    // No flag from the lab: the range decides.
    obs({ id: 'mcv', code: loinc('787-2', 'MCV'), valueQuantity: qty(104, 'fL'), referenceRange: [{ low: qty(80, 'fL'), high: qty(100, 'fL') }] }),
  ],
  result: [{ reference: '#wbc' }, { reference: '#hgb' }, { reference: '#plt' }, { reference: '#mcv' }, { reference: 'Observation/held-one' }],
};
export const prelimCulture: DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'culture',
  status: 'preliminary',
  category: [{ coding: [{ code: 'MB' }] }],
  code: { text: 'Urine culture' },
  subject: { reference: 'Patient/p1' },
  issued: '2025-05-31T09:00:00Z',
  result: [{ reference: 'Observation/culture-1' }],
};
export const cultureObs = obs({ id: 'culture-1', status: 'preliminary', code: { text: 'Organism' }, valueString: 'No growth at 24 hours' });
export const bloodPressure = (id: string, at: string, sys: number, dia: number): Observation =>
  obs({
    id,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: loinc('85354-9', 'Blood pressure panel'),
    effectiveDateTime: at,
    component: [
      { code: loinc('8480-6', 'Systolic blood pressure'), valueQuantity: qty(sys, 'mm[Hg]') },
      { code: loinc('8462-4', 'Diastolic blood pressure'), valueQuantity: qty(dia, 'mm[Hg]') },
    ],
  });
export const standaloneA1c = obs({
  id: 'a1c',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: loinc('4548-4', 'Hemoglobin A1c'),
  effectiveDateTime: '2025-04-02T08:00:00Z',
  valueQuantity: qty(6.1, '%'),
  referenceRange: [{ low: qty(4, '%'), high: qty(5.6, '%') }],
});

// ---------- documents ----------
export const visitSummary: DocumentReference = {
  resourceType: 'DocumentReference',
  id: 'd1',
  status: 'current',
  type: loinc('34133-9', 'Summary of episode note'),
  category: [{ text: 'Clinical note' }],
  subject: { reference: 'Patient/p1' },
  date: '2025-05-22T17:00:00Z',
  author: [{ reference: 'Practitioner/pr1' }],
  description: 'After-visit summary',
  content: [{ attachment: { contentType: 'application/pdf', url: 'Binary/doc-bin-1', size: 183004, title: 'After visit summary.pdf' } }],
};
export const supersededDoc: DocumentReference = {
  ...visitSummary,
  id: 'd0',
  status: 'superseded',
};
export const oldLetter: DocumentReference = {
  resourceType: 'DocumentReference',
  id: 'd2',
  status: 'current',
  subject: { reference: 'Patient/p1' },
  content: [{ attachment: { contentType: 'text/plain', url: 'Binary/doc-bin-2' } }],
  context: { period: { start: '2024-11-02' } },
};

export const included = [patient, mother, drKim, nurse, nurseRole, clinic, mainStreet];
