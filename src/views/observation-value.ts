/**
 * One Observation (or one component of it) as a patient reads it: value with unit, the usual
 * range, and what the lab's flag means in plain words.
 * Interpretation codes: https://terminology.hl7.org/CodeSystem-v3-ObservationInterpretation.html
 */
import { z } from 'zod';
import type { CodeableConcept, Observation, ObservationReferenceRange, Quantity } from 'fhir/r4.js';
import { boundedMemo } from '../lib/bounded-memo.js';
import { conceptCodes, conceptText, loincCode } from './names.js';
import { say, type Locale, type Words } from './view-context.js';

export const SEVERITIES = ['normal', 'abnormal', 'critical', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const InterpretationViewSchema = z.object({
  code: z.string().nullable(),
  label: z.string().min(1),
  severity: z.enum(SEVERITIES),
  /** Worked out here from the range because the lab sent no flag. */
  computed: z.boolean(),
});
export const RangeViewSchema = z.object({
  low: z.number().nullable(),
  high: z.number().nullable(),
  text: z.string().min(1),
});
export const ValueViewSchema = z.object({
  name: z.string().min(1),
  code: z.string().nullable(),
  /** What to show; null when no value was sent. */
  display: z.string().nullable(),
  /** The number, when the value is a plain number (for trends and range checks). */
  numeric: z.number().nullable(),
  unit: z.string().nullable(),
  range: RangeViewSchema.nullable(),
  interpretation: InterpretationViewSchema.nullable(),
});
export type InterpretationView = z.infer<typeof InterpretationViewSchema>;
export type RangeView = z.infer<typeof RangeViewSchema>;
export type ValueView = z.infer<typeof ValueViewSchema>;

const CRITICAL: Words = { en: 'Critical — your care team has been told', es: 'Crítico: su equipo de atención ya fue informado' };
const INTERPRETATIONS: Record<string, { words: Words; severity: Severity }> = {
  N: { words: { en: 'Normal', es: 'Normal' }, severity: 'normal' },
  H: { words: { en: 'High', es: 'Alto' }, severity: 'abnormal' },
  L: { words: { en: 'Low', es: 'Bajo' }, severity: 'abnormal' },
  HU: { words: { en: 'Very high', es: 'Muy alto' }, severity: 'abnormal' },
  LU: { words: { en: 'Very low', es: 'Muy bajo' }, severity: 'abnormal' },
  A: { words: { en: 'Abnormal', es: 'Anormal' }, severity: 'abnormal' },
  HH: { words: CRITICAL, severity: 'critical' },
  LL: { words: CRITICAL, severity: 'critical' },
  AA: { words: CRITICAL, severity: 'critical' },
  '>': { words: { en: 'Above what the test can measure', es: 'Por encima de lo que la prueba puede medir' }, severity: 'abnormal' },
  '<': { words: { en: 'Below what the test can measure', es: 'Por debajo de lo que la prueba puede medir' }, severity: 'abnormal' },
  POS: { words: { en: 'Positive', es: 'Positivo' }, severity: 'info' },
  NEG: { words: { en: 'Negative', es: 'Negativo' }, severity: 'info' },
  DET: { words: { en: 'Detected', es: 'Detectado' }, severity: 'info' },
  ND: { words: { en: 'Not detected', es: 'No detectado' }, severity: 'info' },
  IND: { words: { en: 'Not clear — may need to be repeated', es: 'No concluyente: puede ser necesario repetirlo' }, severity: 'info' },
  E: { words: { en: 'Not clear — may need to be repeated', es: 'No concluyente: puede ser necesario repetirlo' }, severity: 'info' },
  S: { words: { en: 'Susceptible (the medicine should work)', es: 'Sensible (el medicamento debería funcionar)' }, severity: 'info' },
  R: { words: { en: 'Resistant (the medicine may not work)', es: 'Resistente (el medicamento puede no funcionar)' }, severity: 'info' },
  I: { words: { en: 'Intermediate', es: 'Intermedio' }, severity: 'info' },
  B: { words: { en: 'Better than before', es: 'Mejor que antes' }, severity: 'info' },
  W: { words: { en: 'Worse than before', es: 'Peor que antes' }, severity: 'info' },
  U: { words: { en: 'Significantly higher than before', es: 'Bastante más alto que antes' }, severity: 'info' },
  D: { words: { en: 'Significantly lower than before', es: 'Bastante más bajo que antes' }, severity: 'info' },
};
const OUTSIDE: Words = { en: 'Outside the usual range', es: 'Fuera del rango habitual' };
const INSIDE: Words = { en: 'Within the usual range', es: 'Dentro del rango habitual' };
const YES: Words = { en: 'Yes', es: 'Sí' };
const NO: Words = { en: 'No', es: 'No' };
const NOT_AVAILABLE: Words = { en: 'Not available', es: 'No disponible' };
const UNNAMED: Words = { en: 'Test', es: 'Prueba' };

/** UCUM codes as people write them: `mm[Hg]` → `mmHg`, `10*3/uL` → `10³/µL`, `{score}` → none. */
const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
/** Lab units repeat endlessly: remember the readable form of each (bounded). */
const unitTexts = boundedMemo<string | undefined>(2000);

export function unitText(unit: string | undefined): string | undefined {
  return unit === undefined ? undefined : unitTexts(unit, () => readableUnit(unit));
}

function readableUnit(unit: string): string | undefined {
  const text = unit
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[([^\]]*)\]/g, '$1')
    .replace(/10\*(\d+)/g, (_m, d: string) => `10${[...d].map((c) => SUPERSCRIPT[c] ?? c).join('')}`)
    .replace(/(^|[^A-Za-z])u(?=(L|l|g|mol|m|IU)\b)/g, '$1µ')
    .trim();
  return text === '' || text === '1' ? undefined : text;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const numberTexts = boundedMemo<string>(20_000);

/** Locale number text; at most 2 decimals (3 below 1) — enough for every common lab value. */
export function numberText(value: number, locale: Locale): string {
  return numberTexts(`${locale}|${Object.is(value, -0) ? '-0' : value}`, () => formatNumber(value, locale));
}

function formatNumber(value: number, locale: Locale): string {
  const digits = Math.abs(value) < 1 && value !== 0 ? 3 : 2;
  const key = `${locale}|${digits}`;
  let f = numberFormats.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, useGrouping: false });
    numberFormats.set(key, f);
  }
  return f.format(value);
}

function quantityText(q: Quantity, locale: Locale): string | undefined {
  if (q.value === undefined) return undefined;
  return `${q.comparator ?? ''}${numberText(q.value, locale)}`;
}

export function rangeView(ranges: readonly ObservationReferenceRange[] | undefined, locale: Locale): RangeView | null {
  // The first range is the one for this patient: labs list the most applicable first.
  const r = ranges?.[0];
  if (r === undefined) return null;
  const low = r.low?.value ?? null;
  const high = r.high?.value ?? null;
  const unit = unitText(r.low?.unit ?? r.low?.code ?? r.high?.unit ?? r.high?.code);
  const withUnit = (s: string) => (unit === undefined ? s : `${s} ${unit}`);
  let text = r.text?.trim();
  if (!text) {
    if (low !== null && high !== null) text = withUnit(`${numberText(low, locale)}–${numberText(high, locale)}`);
    else if (low !== null) text = withUnit(`≥ ${numberText(low, locale)}`);
    else if (high !== null) text = withUnit(`≤ ${numberText(high, locale)}`);
  }
  return text ? { low, high, text } : null;
}

export function interpretationView(
  flags: readonly CodeableConcept[] | undefined,
  numeric: number | null,
  range: RangeView | null,
  locale: Locale,
): InterpretationView | null {
  for (const concept of flags ?? []) {
    for (const code of conceptCodes(concept)) {
      const known = INTERPRETATIONS[code.toUpperCase()] ?? INTERPRETATIONS[code];
      if (known !== undefined) return { code, label: say(known.words, locale), severity: known.severity, computed: false };
    }
    const text = conceptText(concept);
    if (text !== undefined) return { code: null, label: text, severity: 'info', computed: false };
  }
  if (numeric === null || range === null || (range.low === null && range.high === null)) return null;
  const outside = (range.low !== null && numeric < range.low) || (range.high !== null && numeric > range.high);
  return { code: null, label: say(outside ? OUTSIDE : INSIDE, locale), severity: outside ? 'abnormal' : 'normal', computed: true };
}

type ValueCarrier = Pick<
  Observation,
  | 'code'
  | 'valueQuantity'
  | 'valueString'
  | 'valueCodeableConcept'
  | 'valueBoolean'
  | 'valueInteger'
  | 'valueRange'
  | 'valueRatio'
  | 'dataAbsentReason'
  | 'interpretation'
  | 'referenceRange'
>;

/** Value, unit, range and flag of an Observation or of one of its components. */
export function valueView(o: ValueCarrier, locale: Locale): ValueView {
  let display: string | undefined;
  let numeric: number | null = null;
  let unit: string | undefined;
  if (o.valueQuantity !== undefined) {
    display = quantityText(o.valueQuantity, locale);
    if (o.valueQuantity.comparator === undefined) numeric = o.valueQuantity.value ?? null;
    unit = unitText(o.valueQuantity.unit ?? o.valueQuantity.code);
  } else if (o.valueInteger !== undefined) {
    display = numberText(o.valueInteger, locale);
    numeric = o.valueInteger;
  } else if (o.valueString !== undefined) {
    display = o.valueString.trim() || undefined;
  } else if (o.valueCodeableConcept !== undefined) {
    display = conceptText(o.valueCodeableConcept);
  } else if (o.valueBoolean !== undefined) {
    display = say(o.valueBoolean ? YES : NO, locale);
  } else if (o.valueRange !== undefined) {
    const low = o.valueRange.low === undefined ? undefined : quantityText(o.valueRange.low, locale);
    const high = o.valueRange.high === undefined ? undefined : quantityText(o.valueRange.high, locale);
    display = low !== undefined && high !== undefined ? `${low}–${high}` : (low ?? high);
    unit = unitText(o.valueRange.low?.unit ?? o.valueRange.high?.unit);
  } else if (o.valueRatio !== undefined) {
    const n = o.valueRatio.numerator === undefined ? undefined : quantityText(o.valueRatio.numerator, locale);
    const d = o.valueRatio.denominator === undefined ? undefined : quantityText(o.valueRatio.denominator, locale);
    display = n !== undefined && d !== undefined ? `${n}:${d}` : undefined;
  } else if (o.dataAbsentReason !== undefined) {
    display = say(NOT_AVAILABLE, locale);
  }
  const range = rangeView(o.referenceRange, locale);
  return {
    name: conceptText(o.code) ?? say(UNNAMED, locale),
    code: loincCode(o.code) ?? null,
    display: display ?? null,
    numeric: numeric !== null && Number.isFinite(numeric) ? numeric : null,
    unit: unit ?? null,
    range,
    interpretation: interpretationView(o.interpretation, numeric, range, locale),
  };
}

const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

/** "120/80" for a blood pressure panel (systolic and diastolic components), else undefined. */
export function bloodPressureText(components: readonly ValueView[]): { display: string; unit: string | null } | undefined {
  const sys = components.find((c) => c.code === SYSTOLIC);
  const dia = components.find((c) => c.code === DIASTOLIC);
  if (sys?.numeric == null || dia?.numeric == null) return undefined;
  return { display: `${Math.round(sys.numeric)}/${Math.round(dia.numeric)}`, unit: sys.unit ?? dia.unit };
}
