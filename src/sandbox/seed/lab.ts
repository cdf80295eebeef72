import type {
  Attachment, CodeableConcept, Coding, DiagnosticReport, Observation, ObservationComponent, ObservationReferenceRange,
  Quantity, Reference,
} from 'fhir/r4.js';
import { instant, shift, slot } from './clock.js';
import {
  interpretation, observationCategory, reportCategory, SYSTEMS,
  type Interpretation, type ObservationCategory, type ReportCategory,
} from './codes.js';
import { ref, securityMeta, type PatientRecord } from './record.js';

export const LAB_PERFORMER: Reference = { reference: 'Organization/org-riverside', display: 'Riverside Family Health Laboratory' };

export interface Range {
  low?: number;
  high?: number;
  /** Values beyond these are critical (HH / LL). */
  criticalLow?: number;
  criticalHigh?: number;
}

/** A measured value: number plus its UCUM unit code (and a friendlier unit text when it differs). */
export interface Measured {
  value: number;
  ucum: string;
  unit?: string;
  range?: Range;
}

export type ObservationStatus = 'registered' | 'preliminary' | 'final' | 'amended' | 'corrected';

export interface ResultSpec {
  code: CodeableConcept;
  category?: ObservationCategory;
  measured?: Measured;
  coded?: CodeableConcept;
  text?: string;
  /** Overrides the interpretation derived from the range (e.g. POS for a coded result). */
  interpretation?: Interpretation;
  components?: { code: CodeableConcept; measured: Measured }[];
  note?: string;
  landmark?: string;
}

export interface ResultTiming {
  effective: Date;
  issued: Date;
  status?: ObservationStatus;
  security?: readonly Coding[];
  performer?: Reference[];
}

function quantity(m: Measured): Quantity {
  return { value: m.value, unit: m.unit ?? m.ucum, system: SYSTEMS.ucum, code: m.ucum };
}

function referenceRange(m: Measured): ObservationReferenceRange[] | undefined {
  const r = m.range;
  if (!r || (r.low === undefined && r.high === undefined)) return undefined;
  const bound = (value: number): Quantity => quantity({ ...m, value });
  return [{
    ...(r.low !== undefined ? { low: bound(r.low) } : {}),
    ...(r.high !== undefined ? { high: bound(r.high) } : {}),
  }];
}

/** Flag derived from the range so that value, range and flag always agree. */
export function flag(m: Measured): Interpretation | undefined {
  const r = m.range;
  if (!r) return undefined;
  if (r.criticalHigh !== undefined && m.value >= r.criticalHigh) return 'HH';
  if (r.criticalLow !== undefined && m.value <= r.criticalLow) return 'LL';
  if (r.high !== undefined && m.value > r.high) return 'H';
  if (r.low !== undefined && m.value < r.low) return 'L';
  return 'N';
}

function component(c: { code: CodeableConcept; measured: Measured }): ObservationComponent {
  const f = flag(c.measured);
  const range = referenceRange(c.measured);
  return {
    code: c.code,
    valueQuantity: quantity(c.measured),
    ...(f ? { interpretation: [interpretation(f)] } : {}),
    ...(range ? { referenceRange: range } : {}),
  };
}

export function observation(rec: PatientRecord, spec: ResultSpec, timing: ResultTiming): Observation {
  const f = spec.interpretation ?? (spec.measured ? flag(spec.measured) : undefined);
  const range = spec.measured ? referenceRange(spec.measured) : undefined;
  const obs: Observation = {
    resourceType: 'Observation',
    id: rec.nextId('obs'),
    ...securityMeta(timing.security),
    status: timing.status ?? 'final',
    category: [observationCategory(spec.category ?? 'laboratory')],
    code: spec.code,
    subject: rec.patient,
    effectiveDateTime: instant(timing.effective),
    issued: instant(timing.issued),
    performer: timing.performer ?? [LAB_PERFORMER],
    ...(spec.measured ? { valueQuantity: quantity(spec.measured) } : {}),
    ...(spec.coded ? { valueCodeableConcept: spec.coded } : {}),
    ...(spec.text !== undefined ? { valueString: spec.text } : {}),
    ...(f ? { interpretation: [interpretation(f)] } : {}),
    ...(spec.note ? { note: [{ text: spec.note }] } : {}),
    ...(range ? { referenceRange: range } : {}),
    ...(spec.components ? { component: spec.components.map(component) } : {}),
  };
  return rec.add(obs, spec.landmark);
}

export type ReportStatus = 'registered' | 'partial' | 'preliminary' | 'final' | 'amended' | 'corrected';

export interface ReportSpec {
  code: CodeableConcept;
  category: ReportCategory;
  status?: ReportStatus;
  effective: Date;
  issued: Date;
  results: ResultSpec[];
  conclusion?: string;
  conclusionCode?: CodeableConcept;
  presentedForm?: Attachment;
  security?: readonly Coding[];
  interpreter?: Reference;
  performer?: Reference;
  landmark?: string;
}

/**
 * A DiagnosticReport with its Observations. The Observations share the report's status, times
 * and security labels: a label on the report alone would let the values leak through a plain
 * Observation search.
 */
export function report(rec: PatientRecord, spec: ReportSpec): { report: DiagnosticReport; results: Observation[] } {
  const status = spec.status ?? 'final';
  const obsStatus: ObservationStatus = status === 'partial' ? 'preliminary' : status;
  const timing: ResultTiming = {
    effective: spec.effective, issued: spec.issued, status: obsStatus,
    ...(spec.security ? { security: spec.security } : {}),
    performer: [spec.performer ?? LAB_PERFORMER],
  };
  const results = spec.results.map((r) =>
    observation(rec, { ...r, category: r.category ?? (spec.category === 'RAD' ? 'imaging' : 'laboratory') }, timing));
  const dr: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: rec.nextId('dr'),
    ...securityMeta(spec.security),
    status,
    category: [reportCategory(spec.category)],
    code: spec.code,
    subject: rec.patient,
    effectiveDateTime: instant(spec.effective),
    issued: instant(spec.issued),
    performer: [spec.performer ?? LAB_PERFORMER],
    ...(spec.interpreter ? { resultsInterpreter: [spec.interpreter] } : {}),
    ...(results.length ? { result: results.map((o) => ({ ...ref(o), display: o.code.text ?? '' })) } : {}),
    ...(spec.conclusion ? { conclusion: spec.conclusion } : {}),
    ...(spec.conclusionCode ? { conclusionCode: [spec.conclusionCode] } : {}),
    ...(spec.presentedForm ? { presentedForm: [spec.presentedForm] } : {}),
  };
  return { report: rec.add(dr, spec.landmark), results };
}

export interface TrendSpec {
  code: CodeableConcept;
  ucum: string;
  unit?: string;
  range: Range;
  /** Oldest first. */
  values: number[];
  everyDays: number;
  lastDaysAgo: number;
  utcHour: number;
  /** Hours from draw to result. */
  turnaroundHours: number;
  landmarkLatest?: string;
}

/** A series of the same test at a fixed interval, the newest `lastDaysAgo` days ago. */
export function trend(rec: PatientRecord, spec: TrendSpec): Observation[] {
  const n = spec.values.length;
  return spec.values.map((value, i) => {
    const effective = slot(rec.now, -(spec.lastDaysAgo + (n - 1 - i) * spec.everyDays), spec.utcHour);
    return observation(
      rec,
      {
        code: spec.code,
        measured: { value, ucum: spec.ucum, ...(spec.unit ? { unit: spec.unit } : {}), range: spec.range },
        ...(i === n - 1 && spec.landmarkLatest ? { landmark: spec.landmarkLatest } : {}),
      },
      { effective, issued: shift(effective, { hours: spec.turnaroundHours }) },
    );
  });
}
