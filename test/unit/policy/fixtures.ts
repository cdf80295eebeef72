/**
 * Realistic R4 results for the policy tests (LOINC codes and v2-0074 categories are real; the
 * people are not). Times: issued Friday 27 February 2026, 10:00 in Los Angeles.
 */
import type { Coding, DiagnosticReport, DocumentReference, Observation } from 'fhir/r4.js';
import { readRulesFile } from '../../../src/policy/read-rules-file.js';
import type { ClinicianAction, PolicyContext, Viewer } from '../../../src/policy/types.js';

export const rules = readRulesFile();

export const ISSUED = '2026-02-27T18:00:00Z';
/** Monday 2 March: one business day after issue. */
export const BEFORE = new Date('2026-03-02T18:00:00Z');
/** Monday 9 March: six business days after issue (past the 3- and 5-day delays). */
export const AFTER = new Date('2026-03-09T18:00:00Z');
/** Monday 16 March: past the 10-business-day maximum of a patient-requested hold. */
export const LATE = new Date('2026-03-16T18:00:00Z');
/** Saturday 28 February: the clinician acts after issue, before every clock above. */
export const CLINICIAN_AT = new Date('2026-02-28T17:00:00Z');

const LOINC = 'http://loinc.org';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

export const label = (code: string): Coding => ({
  system: ['R', 'V', 'N', 'M', 'L', 'U'].includes(code) ? CONFIDENTIALITY : ACT_CODE,
  code,
});

interface ObsSpec {
  id: string;
  code: string;
  display: string;
  value?: Observation['valueQuantity'];
  valueText?: string;
  status?: Observation['status'];
  labels?: string[];
  interpretation?: 'H' | 'L' | 'N' | 'A' | 'POS' | 'NEG';
  issued?: string;
}

export function observation(s: ObsSpec): Observation {
  return {
    resourceType: 'Observation',
    id: s.id,
    ...(s.labels ? { meta: { security: s.labels.map(label) } } : {}),
    status: s.status ?? 'final',
    category: [{ coding: [{ system: OBS_CATEGORY, code: 'laboratory', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC, code: s.code, display: s.display }], text: s.display },
    subject: { reference: 'Patient/pat-1' },
    effectiveDateTime: '2026-02-26T16:30:00Z',
    issued: s.issued ?? ISSUED,
    ...(s.value ? { valueQuantity: s.value } : {}),
    ...(s.valueText ? { valueCodeableConcept: { text: s.valueText } } : {}),
    ...(s.interpretation ? { interpretation: [{ coding: [{ system: INTERPRETATION, code: s.interpretation }] }] } : {}),
  };
}

interface ReportSpec {
  id: string;
  code: string;
  display: string;
  category?: string;
  status?: DiagnosticReport['status'];
  labels?: string[];
  results?: Observation[];
  conclusion?: string;
  pdf?: string;
  issued?: string;
}

export function report(s: ReportSpec): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    id: s.id,
    ...(s.labels ? { meta: { security: s.labels.map(label) } } : {}),
    identifier: [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.798268', value: `ACC-${s.id}` }],
    status: s.status ?? 'final',
    category: [{ coding: [{ system: V2_0074, code: s.category ?? 'LAB' }] }],
    code: { coding: [{ system: LOINC, code: s.code, display: s.display }], text: s.display },
    subject: { reference: 'Patient/pat-1' },
    effectiveDateTime: '2026-02-26T16:30:00Z',
    issued: s.issued ?? ISSUED,
    result: (s.results ?? []).map((o) => ({ reference: `Observation/${o.id}`, display: o.code.text ?? '' })),
    ...(s.conclusion ? { conclusion: s.conclusion } : {}),
    ...(s.pdf ? { presentedForm: [{ contentType: 'application/pdf', data: s.pdf, title: `${s.display}.pdf` }] } : {}),
  };
}

/** A DocumentReference carrying a report's PDF, linked by context.related and by the accession number. */
export function documentFor(r: DiagnosticReport, id: string, link: 'related' | 'identifier' = 'related'): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: LOINC, code: '11502-2', display: 'Laboratory report' }] },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note' }] }],
    subject: { reference: 'Patient/pat-1' },
    date: r.issued!,
    description: r.code.text!,
    ...(link === 'identifier' ? { identifier: [r.identifier![0]!] } : { context: { related: [{ reference: `DiagnosticReport/${r.id}` }] } }),
    content: [{ attachment: { contentType: 'application/pdf', url: `Binary/pdf-${r.id}`, title: `${r.code.text} report` } }],
  };
}

// --- The results the truth table and the apply tests use -----------------------------------------

export const cholesterol = observation({ id: 'chol', code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', value: { value: 212, unit: 'mg/dL' }, interpretation: 'N' });
export const triglycerides = observation({ id: 'trig', code: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma', value: { value: 150, unit: 'mg/dL' } });
export const hdl = observation({ id: 'hdl', code: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', value: { value: 48, unit: 'mg/dL' } });
export const lipidPanel = report({ id: 'lipid', code: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma', results: [cholesterol, triglycerides, hdl] });

export const hivScreen = observation({ id: 'hiv', code: '75622-1', display: 'HIV 1 and 2 Ag+Ab [Presence] in Serum or Plasma by Immunoassay', valueText: 'Nonreactive' });
export const opiateScreen = observation({ id: 'opi', code: '19295-5', display: 'Opiates [Presence] in Urine by Screen method', valueText: 'Detected', labels: ['SUD'] });
export const psa = observation({ id: 'psa', code: '2857-1', display: 'Prostate specific Ag [Mass/volume] in Serum or Plasma', value: { value: 6.8, unit: 'ng/mL' }, interpretation: 'H' });
export const pathology = report({ id: 'path', code: '60567-5', display: 'Comprehensive pathology report panel', category: 'PAT', conclusion: 'Invasive ductal carcinoma, grade 2', pdf: 'JVBERi0xLjcKcGF0aG9sb2d5', });
export const geneticPanel = report({ id: 'gen', code: '81247-9', display: 'Master HL7 genetic variant reporting panel', category: 'GE', conclusion: 'BRCA2 pathogenic variant detected' });
export const chlamydia = observation({ id: 'ct', code: '43304-5', display: 'Chlamydia trachomatis rRNA [Presence] in Specimen by NAA with probe detection', valueText: 'Detected', labels: ['STD'] });
export const gonorrhoea = observation({ id: 'ng', code: '43305-2', display: 'Neisseria gonorrhoeae rRNA [Presence] in Specimen by NAA with probe detection', valueText: 'Not detected' });
export const pregnancy = observation({ id: 'hcg', code: '2106-3', display: 'Choriogonadotropin (pregnancy test) [Presence] in Urine', valueText: 'Positive' });
export const nopat = observation({ id: 'nopat', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', value: { value: 7.1, unit: 'g/dL' }, labels: ['NOPAT'] });
export const veryRestricted = observation({ id: 'vr', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', value: { value: 99, unit: 'mg/dL' }, labels: ['V'] });
export const preliminaryCbc = report({ id: 'cbc', code: '58410-2', display: 'CBC panel - Blood by Automated count', status: 'preliminary' });
export const highGlucose = observation({ id: 'glu-h', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', value: { value: 310, unit: 'mg/dL' }, interpretation: 'H' });

// --- Viewers and contexts ----------------------------------------------------------------------

export const ADULT_BIRTH = '1979-05-14';
/** 15 years old in March 2026. */
export const TEEN_BIRTH = '2010-09-03';

export const patientViewer: Viewer = { kind: 'patient', id: 'pat-1' };
export const parentProxy: Viewer = { kind: 'proxy', id: 'rp-mother', relationship: 'MTH' };

export function ctx(o: Partial<PolicyContext> & { birthDate?: string } = {}): PolicyContext {
  const { birthDate, ...rest } = o;
  return {
    viewer: patientViewer,
    patient: { id: 'pat-1', birthDate: birthDate ?? ADULT_BIRTH, state: 'CA' },
    now: BEFORE,
    clinicianActions: [],
    preferences: {},
    ...rest,
  };
}

export const release = (resourceRef: string, at = CLINICIAN_AT): ClinicianAction => ({ resourceRef, action: 'release', at, by: 'Practitioner/dr-lee' });
export const hold = (resourceRef: string, at = CLINICIAN_AT): ClinicianAction => ({ resourceRef, action: 'hold', at, by: 'Practitioner/dr-lee', reason: 'discuss first' });
