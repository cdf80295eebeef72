/**
 * Test results: DiagnosticReports with their result Observations (contained or included), lab
 * Observations that arrived without a report, placeholders for results the release policy holds,
 * and trends per LOINC code across every visible Observation (vital signs included).
 * Entered-in-error reports and Observations are never shown.
 * Spec: https://hl7.org/fhir/R4/diagnosticreport.html, https://hl7.org/fhir/R4/observation.html
 */
import { z } from 'zod';
import type { DiagnosticReport, Observation } from 'fhir/r4.js';
import { checkResources } from '../fhir/resource-schemas.js';
import { DateViewSchema, formatInstant, toMillis, type DateView } from './format-date.js';
import { checkedList, listEnvelope, mapChecked, type ListOptions } from './list.js';
import { actorName, conceptCodes, conceptText, loincCode } from './names.js';
import { bloodPressureText, unitText, valueView, ValueViewSchema, type ValueView } from './observation-value.js';
import { isOtherPatient } from './patient-scope.js';
import { mapPending, PendingViewSchema, type PendingItem, type PendingView } from './pending.js';
import { ResourceIndex } from './references.js';
import { checkContext, say, type Locale, type ViewContext, type Words } from './view-context.js';

const STATUS_WORDS: Record<string, Words> = {
  registered: { en: 'Received by the lab', es: 'Recibido por el laboratorio' },
  partial: { en: 'Partial — more results to come', es: 'Parcial: faltan más resultados' },
  preliminary: { en: 'Preliminary — may change', es: 'Preliminar: puede cambiar' },
  final: { en: 'Final', es: 'Final' },
  amended: { en: 'Updated', es: 'Actualizado' },
  corrected: { en: 'Corrected', es: 'Corregido' },
  appended: { en: 'Updated with more information', es: 'Actualizado con más información' },
  cancelled: { en: 'Cancelled', es: 'Cancelado' },
  unknown: { en: 'Status not known', es: 'Estado desconocido' },
};
const CATEGORY_WORDS: Record<string, Words> = {
  LAB: { en: 'Lab', es: 'Laboratorio' },
  laboratory: { en: 'Lab', es: 'Laboratorio' },
  HM: { en: 'Blood count', es: 'Hemograma' },
  CH: { en: 'Chemistry', es: 'Química' },
  MB: { en: 'Microbiology', es: 'Microbiología' },
  PAT: { en: 'Pathology', es: 'Patología' },
  SP: { en: 'Pathology', es: 'Patología' },
  RAD: { en: 'Imaging', es: 'Imágenes' },
  imaging: { en: 'Imaging', es: 'Imágenes' },
  CT: { en: 'Imaging', es: 'Imágenes' },
  EC: { en: 'Heart tracing (ECG)', es: 'Electrocardiograma' },
  'vital-signs': { en: 'Vital signs', es: 'Signos vitales' },
};
const REPORT: Words = { en: 'Test result', es: 'Resultado' };
const FORM: Words = { en: 'Full report', es: 'Informe completo' };

const statusView = (code: string, locale: Locale) => ({
  code,
  label: say(STATUS_WORDS[code] ?? STATUS_WORDS.unknown!, locale),
});
const HIDDEN_STATUSES = new Set(['entered-in-error']);
/** Values that do not belong in a trend line. */
const NO_TREND_STATUSES = new Set(['entered-in-error', 'cancelled', 'registered']);

export const ResultRowSchema = ValueViewSchema.extend({
  id: z.string().min(1),
  status: z.object({ code: z.string(), label: z.string().min(1) }),
  effective: DateViewSchema.nullable(),
  components: z.array(ValueViewSchema),
  notes: z.array(z.string()),
});
export const ResultFormSchema = z.object({
  title: z.string().min(1),
  contentType: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  url: z.string().regex(/^\/api\/results\/[^/]+\/form\/\d+$/),
});
export const TrendSeriesSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  unit: z.string().nullable(),
  points: z
    .array(z.object({ at: z.string().min(4), value: z.number(), unit: z.string().nullable() }))
    .min(2),
});
const availableBase = {
  id: z.string().min(1),
  status: z.literal('available'),
  kind: z.enum(['report', 'observation']),
  name: z.string().min(1),
  category: z.string().nullable(),
  resultStatus: z.object({ code: z.string(), label: z.string().min(1) }),
  issued: DateViewSchema.nullable(),
  effective: DateViewSchema.nullable(),
  performers: z.array(z.string().min(1)),
};
export const ResultListItemSchema = z.discriminatedUnion('status', [
  z.object({
    ...availableBase,
    resultCount: z.number().int().nonnegative(),
    /** Values flagged abnormal or critical. */
    flagged: z.number().int().nonnegative(),
    critical: z.boolean(),
    hasForm: z.boolean(),
  }),
  PendingViewSchema,
]);
const TrendListSchema = z.array(TrendSeriesSchema);
export const ResultListSchema = listEnvelope(ResultListItemSchema).extend({ trends: TrendListSchema });
export const ResultDetailSchema = z.object({
  ...availableBase,
  conclusion: z.string().nullable(),
  results: z.array(ResultRowSchema),
  /** Results the report lists that are not available to this viewer (held, or not sent). */
  notShown: z.number().int().nonnegative(),
  forms: z.array(ResultFormSchema),
  trends: z.array(TrendSeriesSchema),
});

export type ResultRow = z.infer<typeof ResultRowSchema>;
export type ResultForm = z.infer<typeof ResultFormSchema>;
export type TrendSeries = z.infer<typeof TrendSeriesSchema>;
export type ResultListItem = z.infer<typeof ResultListItemSchema>;
export type ResultList = z.infer<typeof ResultListSchema>;
export type ResultDetail = z.infer<typeof ResultDetailSchema>;

function categoryLabel(concepts: DiagnosticReport['category'], locale: Locale): string | null {
  for (const c of concepts ?? []) {
    for (const code of conceptCodes(c)) {
      const words = CATEGORY_WORDS[code];
      if (words !== undefined) return say(words, locale);
    }
  }
  return conceptText(concepts?.[0]) ?? null;
}

const effectiveOf = (r: Observation | DiagnosticReport): string | undefined =>
  r.effectiveDateTime ?? r.effectivePeriod?.start ?? (r as Observation).effectiveInstant;

function isLab(o: Observation): boolean {
  const codes = (o.category ?? []).flatMap(conceptCodes);
  return codes.length === 0 || codes.includes('laboratory') || codes.includes('LAB');
}

interface Prepared {
  ctx: ViewContext;
  index: ResourceIndex;
  reports: DiagnosticReport[];
  /** Lab Observations no visible report lists. */
  standalone: Observation[];
  /** Every visible Observation (included, contained in reports, panel members), once each. */
  observations: Observation[];
  skipped: number;
  pending: PendingItem[];
  /** resultsOf per report, worked out once. */
  resultsByReport: Map<DiagnosticReport, ReportResults>;
  /** valuesOf per Observation, worked out once (a result shows in its report and in counts). */
  values: WeakMap<Observation, Values>;
}

/** An Observation's own value and its components' values. */
interface Values {
  main: ValueView;
  components: ValueView[];
}

function valuesOf(o: Observation, values: WeakMap<Observation, Values>, locale: Locale): Values {
  let v = values.get(o);
  if (v === undefined) {
    v = { main: valueView(o, locale), components: (o.component ?? []).map((c) => valueView(c, locale)) };
    values.set(o, v);
  }
  return v;
}

interface ReportResults {
  found: Observation[];
  /** References that did not resolve to a visible Observation. */
  missing: number;
}

/** Result Observations of a report, panels opened one level; plus the count that did not resolve. */
function resultsOf(report: DiagnosticReport, index: ResourceIndex, values: WeakMap<Observation, Values>, locale: Locale): ReportResults {
  const found: Observation[] = [];
  let missing = 0;
  for (const ref of report.result ?? []) {
    const o = index.resolve(ref, ['Observation'], report);
    if (o === undefined) {
      missing += 1;
      continue;
    }
    if (HIDDEN_STATUSES.has(o.status)) continue;
    const hasValue = valuesOf(o, values, locale).main.display !== null || (o.component?.length ?? 0) > 0;
    if (!hasValue && (o.hasMember?.length ?? 0) > 0) {
      for (const m of o.hasMember ?? []) {
        const member = index.resolve(m, ['Observation'], report);
        if (member === undefined) missing += 1;
        else if (!HIDDEN_STATUSES.has(member.status)) found.push(member);
      }
    } else {
      found.push(o);
    }
  }
  return { found, missing };
}

function prepare(
  reportsIn: readonly unknown[],
  included: readonly unknown[],
  pending: readonly PendingItem[],
  context: ViewContext,
): Prepared {
  const ctx = checkContext(context);
  const checked = checkResources(reportsIn, 'DiagnosticReport');
  const inScope = checked.valid.filter((r) => !isOtherPatient(r.subject, ctx));
  const reports = inScope.filter((r) => !HIDDEN_STATUSES.has(r.status));
  const index = new ResourceIndex(included);
  const listed = new Set<Observation>();
  const observations: Observation[] = [];
  const resultsByReport = new Map<DiagnosticReport, ReportResults>();
  const values = new WeakMap<Observation, Values>();
  for (const r of reports) {
    const results = resultsOf(r, index, values, ctx.locale);
    resultsByReport.set(r, results);
    for (const o of results.found) {
      if (!listed.has(o)) observations.push(o);
      listed.add(o);
    }
  }
  const listedIds = new Set([...listed].map((o) => o.id));
  const standalone: Observation[] = [];
  for (const o of index.all('Observation')) {
    if (listed.has(o) || listedIds.has(o.id) || isOtherPatient(o.subject, ctx) || HIDDEN_STATUSES.has(o.status)) continue;
    observations.push(o);
    if (isLab(o)) standalone.push(o);
  }
  return { ctx, index, reports, standalone, observations, skipped: checked.invalid + (checked.valid.length - inScope.length), pending: [...pending], resultsByReport, values };
}

/** A listed report's results, as prepare() resolved them (it resolves every report it lists). */
function reportResults(r: DiagnosticReport, p: Prepared): ReportResults {
  return p.resultsByReport.get(r)!;
}

function rowOf(o: Observation, p: Prepared): ResultRow {
  const { ctx } = p;
  const { main, components } = valuesOf(o, p.values, ctx.locale);
  const bp = main.display === null ? bloodPressureText(components) : undefined;
  return {
    ...main,
    display: bp?.display ?? main.display,
    unit: bp === undefined ? main.unit : bp.unit,
    id: o.id!,
    status: statusView(o.status, ctx.locale),
    effective: formatInstant(effectiveOf(o) ?? o.issued, ctx) ?? null,
    components,
    notes: (o.note ?? []).map((n) => n.text.trim()).filter((t) => t !== ''),
  };
}

const isFlagged = (v: ValueView) => v.interpretation?.severity === 'abnormal' || v.interpretation?.severity === 'critical';
const isCritical = (v: ValueView) => v.interpretation?.severity === 'critical';

function reportHeader(r: DiagnosticReport | Observation, p: Prepared) {
  const { ctx, index } = p;
  return {
    id: r.id!,
    status: 'available' as const,
    kind: r.resourceType === 'DiagnosticReport' ? ('report' as const) : ('observation' as const),
    name: conceptText(r.code) ?? say(REPORT, ctx.locale),
    category: categoryLabel(r.category, ctx.locale),
    resultStatus: statusView(r.status, ctx.locale),
    issued: formatInstant(r.issued, ctx) ?? null,
    effective: formatInstant(effectiveOf(r), ctx) ?? null,
    performers: (r.performer ?? [])
      .map((ref) => actorName(ref, index, r))
      .filter((n): n is string => n !== undefined),
  };
}

function reportDetail(r: DiagnosticReport, p: Prepared): ResultDetail {
  const { found, missing } = reportResults(r, p);
  const results = found.map((o) => rowOf(o, p));
  const codes = new Set(results.flatMap((row) => [row.code, ...row.components.map((c) => c.code)]).filter((c): c is string => c !== null));
  return {
    ...reportHeader(r, p),
    conclusion: r.conclusion?.trim() || null,
    results,
    notShown: missing,
    forms: (r.presentedForm ?? []).map((a, i) => ({
      title: a.title?.trim() || say(FORM, p.ctx.locale),
      contentType: a.contentType ?? null,
      size: a.size ?? null,
      url: `/api/results/${encodeURIComponent(r.id!)}/form/${i}`,
    })),
    trends: trends(p.observations, p.ctx.locale).filter((t) => codes.has(t.code)),
  };
}

function observationDetail(o: Observation, p: Prepared): ResultDetail {
  const row = rowOf(o, p);
  const codes = new Set([row.code, ...row.components.map((c) => c.code)]);
  return {
    ...reportHeader(o, p),
    conclusion: null,
    results: [row],
    notShown: 0,
    forms: [],
    trends: trends(p.observations, p.ctx.locale).filter((t) => codes.has(t.code)),
  };
}

/** Numeric series per LOINC code (components included, e.g. systolic/diastolic), oldest first. */
export function trends(observations: readonly Observation[], locale: Locale): TrendSeries[] {
  const series = new Map<string, { name: string; points: TrendSeries['points'] }>();
  const add = (code: string | undefined, name: string | undefined, at: string | undefined, value: number | undefined, unit: string | undefined) => {
    if (code === undefined || at === undefined || value === undefined || !Number.isFinite(value)) return;
    const ms = toMillis(at);
    if (Number.isNaN(ms)) return;
    const s = series.get(code) ?? { name: name ?? code, points: [] };
    s.points.push({ at: /T/.test(at) ? new Date(ms).toISOString() : at, value, unit: unitText(unit) ?? null });
    series.set(code, s);
  };
  for (const o of observations) {
    if (NO_TREND_STATUSES.has(o.status)) continue;
    const at = effectiveOf(o) ?? o.issued;
    const q = o.valueQuantity;
    if (q !== undefined && q.comparator === undefined) add(loincCode(o.code), conceptText(o.code), at, q.value, q.unit ?? q.code);
    else if (o.valueInteger !== undefined) add(loincCode(o.code), conceptText(o.code), at, o.valueInteger, undefined);
    for (const c of o.component ?? []) {
      const cq = c.valueQuantity;
      if (cq !== undefined && cq.comparator === undefined) add(loincCode(c.code), conceptText(c.code), at, cq.value, cq.unit ?? cq.code);
    }
  }
  const out: TrendSeries[] = [];
  for (const [code, s] of series) {
    if (s.points.length < 2) continue;
    s.points.sort((a, b) => toMillis(a.at) - toMillis(b.at));
    const unitCounts = new Map<string | null, number>();
    for (const pt of s.points) unitCounts.set(pt.unit, (unitCounts.get(pt.unit) ?? 0) + 1);
    const unit = [...unitCounts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    out.push({ code, name: s.name || say(REPORT, locale), unit, points: s.points });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
}

function listItem(r: DiagnosticReport | Observation, p: Prepared): ResultListItem {
  // The list shows counts only: each result's values, not its full row.
  const found = r.resourceType === 'DiagnosticReport' ? reportResults(r, p).found : [r];
  const values = found.flatMap((o) => {
    const v = valuesOf(o, p.values, p.ctx.locale);
    return [v.main, ...v.components];
  });
  return {
    ...reportHeader(r, p),
    resultCount: found.length,
    flagged: values.filter(isFlagged).length,
    critical: values.some(isCritical),
    hasForm: r.resourceType === 'DiagnosticReport' && (r.presentedForm?.length ?? 0) > 0,
  };
}

function sortKey(item: ResultListItem): number {
  const date: DateView | null =
    item.status === 'available' ? (item.issued ?? item.effective) : (item.issued ?? item.releaseAt);
  // Undated pending items first: they are the newest news.
  return date === null ? Number.POSITIVE_INFINITY : toMillis(date.iso);
}

/**
 * The results list (newest first) with trends. `included` holds the result Observations, any
 * other visible Observations (for trends and stand-alone lab values) and performers.
 */
export interface ResultListOptions extends ListOptions {
  /** Work out the trend series (default). The home page's counts do without them. */
  trends?: boolean;
}

export function mapResults(
  reports: readonly unknown[],
  included: readonly unknown[],
  pending: readonly PendingItem[],
  context: ViewContext,
  options: ResultListOptions = {},
): ResultList {
  const p = prepare(reports, included, pending, context);
  let skipped = p.skipped;
  const items: ResultListItem[] = [];
  for (const r of [...p.reports, ...p.standalone]) {
    const item = mapChecked(r, (x) => listItem(x, p), ResultListItemSchema);
    if (item === undefined) skipped += 1;
    else items.push(item);
  }
  for (const pi of p.pending) {
    const view = mapPending(pi, 'result', p.ctx);
    if (view === undefined) continue;
    items.push(view);
  }
  items.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka === kb || (Number.isNaN(ka) && Number.isNaN(kb)) ? a.id.localeCompare(b.id) : Number.isNaN(ka) ? 1 : Number.isNaN(kb) ? -1 : kb - ka;
  });
  return { ...checkedList(items, skipped, options), trends: options.trends === false ? [] : TrendListSchema.parse(trends(p.observations, p.ctx.locale)) };
}

/**
 * One result: a report (or a stand-alone lab Observation) with every value, range, flag, form link
 * and the trends of its codes; a pending placeholder when `id` is a held item; undefined otherwise.
 */
export function mapResultDetail(
  id: string,
  reports: readonly unknown[],
  included: readonly unknown[],
  pending: readonly PendingItem[],
  context: ViewContext,
): ResultDetail | PendingView | undefined {
  const p = prepare(reports, included, pending, context);
  const held = p.pending.find((pi) => (pi.ref === id || pi.ref.endsWith(`/${id}`)) && pi.kind === 'result');
  if (held !== undefined) return mapPending(held, 'result', p.ctx);
  const report = p.reports.find((r) => r.id === id);
  if (report !== undefined) return mapChecked(report, (r) => reportDetail(r, p), ResultDetailSchema);
  const observation = p.standalone.find((o) => o.id === id);
  if (observation !== undefined) return mapChecked(observation, (o) => observationDetail(o, p), ResultDetailSchema);
  return undefined;
}
