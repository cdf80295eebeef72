import type { CodeableConcept, Coding } from 'fhir/r4.js';

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  reportCategory: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  appointmentType: 'http://terminology.hl7.org/CodeSystem/v2-0276',
  cancelReason: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason',
  docCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  bcp47: 'urn:ietf:bcp:47',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  qualification: 'http://terminology.hl7.org/CodeSystem/v2-0360',
  mrn: 'http://riverside.example/mrn',
  staffId: 'http://riverside.example/staff',
  messagePurpose: 'http://fhir-portal-adapter.example/CodeSystem/message-purpose',
  telehealthUrl: 'http://fhir-portal-adapter.example/StructureDefinition/telehealth-url',
} as const;

export function loinc(code: string, display: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.loinc, code, display }], text: display };
}

export function snomed(code: string, display: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.snomed, code, display }], text: display };
}

/** Security labels (FHIR R4 security-labels page): sensitivity and refrain codes live in v3-ActCode. */
export type Sensitivity = 'HIV' | 'PSY' | 'ETH' | 'SUD' | 'GDIS' | 'SEX' | 'STD' | 'BH' | 'NOPAT';
const SENSITIVITY_DISPLAY: Record<Sensitivity, string> = {
  HIV: 'HIV/AIDS information sensitivity',
  PSY: 'psychiatry disorder information sensitivity',
  ETH: 'substance abuse information sensitivity',
  SUD: 'substance use disorder information sensitivity',
  GDIS: 'genetic disease information sensitivity',
  SEX: 'sexuality and reproductive health information sensitivity',
  STD: 'sexually transmitted disease information sensitivity',
  BH: 'behavioral health information sensitivity',
  NOPAT: 'no disclosure to patient, family or caregivers without attending provider\'s authorization',
};

export function sensitivity(code: Sensitivity): Coding {
  return { system: SYSTEMS.actCode, code, display: SENSITIVITY_DISPLAY[code] };
}

export type Confidentiality = 'N' | 'R' | 'V';
const CONFIDENTIALITY_DISPLAY: Record<Confidentiality, string> = { N: 'normal', R: 'restricted', V: 'very restricted' };

export function confidentiality(code: Confidentiality): Coding {
  return { system: SYSTEMS.confidentiality, code, display: CONFIDENTIALITY_DISPLAY[code] };
}

export type Interpretation = 'N' | 'H' | 'L' | 'HH' | 'LL' | 'A' | 'POS' | 'NEG';
const INTERPRETATION_DISPLAY: Record<Interpretation, string> = {
  N: 'Normal', H: 'High', L: 'Low', HH: 'Critical high', LL: 'Critical low', A: 'Abnormal',
  POS: 'Positive', NEG: 'Negative',
};

export function interpretation(code: Interpretation): CodeableConcept {
  return { coding: [{ system: SYSTEMS.interpretation, code, display: INTERPRETATION_DISPLAY[code] }] };
}

export type ReportCategory = 'LAB' | 'PAT' | 'GE' | 'RAD';
const REPORT_CATEGORY_DISPLAY: Record<ReportCategory, string> = {
  LAB: 'Laboratory', PAT: 'Pathology (gross & histopath, not surgical)', GE: 'Genetics', RAD: 'Radiology',
};

export function reportCategory(code: ReportCategory): CodeableConcept {
  return { coding: [{ system: SYSTEMS.reportCategory, code, display: REPORT_CATEGORY_DISPLAY[code] }] };
}

export type ObservationCategory = 'laboratory' | 'vital-signs' | 'imaging';
export function observationCategory(code: ObservationCategory): CodeableConcept {
  const display = { laboratory: 'Laboratory', 'vital-signs': 'Vital Signs', imaging: 'Imaging' }[code];
  return { coding: [{ system: SYSTEMS.obsCategory, code, display }] };
}

export type MessagePurpose =
  | 'refill-request' | 'medication-question' | 'test-result-question' | 'appointment-question' | 'billing' | 'other';
export const MESSAGE_PURPOSES: Record<MessagePurpose, string> = {
  'refill-request': 'Prescription refill request',
  'medication-question': 'Question about a medication',
  'test-result-question': 'Question about a test result',
  'appointment-question': 'Question about an appointment',
  billing: 'Billing question',
  other: 'Other',
};

export function messagePurpose(code: MessagePurpose): CodeableConcept {
  return { coding: [{ system: SYSTEMS.messagePurpose, code, display: MESSAGE_PURPOSES[code] }] };
}

export function language(code: 'en' | 'es' | 'vi', display: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.bcp47, code, display }], text: display };
}

/** Common result values coded in SNOMED CT. */
export const RESULT_VALUES = {
  negative: snomed('260385009', 'Negative'),
  positive: snomed('10828004', 'Positive'),
  notDetected: snomed('260415000', 'Not detected'),
  detected: snomed('260373001', 'Detected'),
} as const;
