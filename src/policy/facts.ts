/**
 * Reads what the rules look at out of one FHIR resource. Anything the engine cannot read with
 * certainty (missing id or type, an unknown status, malformed labels) makes the resource
 * unclassifiable, and the caller holds it (fail closed).
 */
import { z } from 'zod';
import { LOINC_SYSTEM } from './loinc.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

export interface ResourceFacts {
  type: string;
  id: string;
  /** 'Type/id' */
  ref: string;
  statuses: string[];
  /** 'system|code'; a coding without a system is read as LOINC (the stricter reading). */
  codes: Set<string>;
  categories: Set<string>;
  labels: Set<string>;
  interpretations: Set<string>;
  /** Epoch ms of `issued` (DocumentReference: `date`); null when absent or unparseable. */
  issued: number | null;
}

export type Classified = { ok: true; facts: ResourceFacts } | { ok: false; reason: string };

const Coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
const Concept = z.looseObject({ coding: z.array(Coding).optional() });
const Concepts = z.array(Concept);

const Base = z.looseObject({
  resourceType: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/),
  id: z.string().regex(FHIR_ID),
  meta: z.looseObject({ security: z.array(Coding).optional() }).optional(),
});

const Report = z.looseObject({
  status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error']),
  code: Concept.optional(),
  category: Concepts.optional(),
});

const Obs = z.looseObject({
  status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error']),
  code: Concept.optional(),
  category: Concepts.optional(),
  interpretation: Concepts.optional(),
  component: z.array(z.looseObject({ code: Concept.optional(), interpretation: Concepts.optional() })).optional(),
});

const Doc = z.looseObject({
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  docStatus: z.enum(['preliminary', 'final', 'amended', 'entered-in-error']).optional(),
  type: Concept.optional(),
  category: Concepts.optional(),
  securityLabel: Concepts.optional(),
});

/** observation-category codes read as their v2-0074 section too, so "LAB" covers both. */
const CATEGORY_ALIASES: Record<string, string> = { laboratory: 'LAB', imaging: 'RAD' };

// FHIR `instant`: https://hl7.org/fhir/R4/datatypes.html#instant
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(value: unknown): number | null {
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

function addCodes(into: Set<string>, concept: z.infer<typeof Concept> | undefined): void {
  for (const c of concept?.coding ?? []) {
    if (c.code) into.add(`${c.system ?? LOINC_SYSTEM}|${c.code}`);
  }
}

function addCodeValues(into: Set<string>, concepts: z.infer<typeof Concepts> | undefined, alias = false): void {
  for (const concept of concepts ?? []) {
    for (const c of concept.coding ?? []) {
      if (!c.code) continue;
      into.add(c.code);
      const a = alias ? CATEGORY_ALIASES[c.code] : undefined;
      if (a) into.add(a);
    }
  }
}

export function classify(resource: unknown): Classified {
  const base = Base.safeParse(resource);
  if (!base.success) return { ok: false, reason: 'not a FHIR resource with resourceType and id' };
  const { resourceType: type, id } = base.data;
  const facts: ResourceFacts = {
    type,
    id,
    ref: `${type}/${id}`,
    statuses: [],
    codes: new Set(),
    categories: new Set(),
    labels: new Set(),
    interpretations: new Set(),
    issued: null,
  };
  for (const s of base.data.meta?.security ?? []) if (s.code) facts.labels.add(s.code);

  if (type === 'DiagnosticReport') {
    const r = Report.safeParse(resource);
    if (!r.success) return { ok: false, reason: `unreadable DiagnosticReport (${r.error.issues[0]?.path.join('.')})` };
    facts.statuses.push(r.data.status);
    addCodes(facts.codes, r.data.code);
    addCodeValues(facts.categories, r.data.category, true);
    facts.issued = parseInstant(r.data['issued']);
  } else if (type === 'Observation') {
    const o = Obs.safeParse(resource);
    if (!o.success) return { ok: false, reason: `unreadable Observation (${o.error.issues[0]?.path.join('.')})` };
    facts.statuses.push(o.data.status);
    addCodes(facts.codes, o.data.code);
    addCodeValues(facts.categories, o.data.category, true);
    addCodeValues(facts.interpretations, o.data.interpretation);
    for (const comp of o.data.component ?? []) {
      addCodes(facts.codes, comp.code);
      addCodeValues(facts.interpretations, comp.interpretation);
    }
    facts.issued = parseInstant(o.data['issued']);
  } else if (type === 'DocumentReference') {
    const d = Doc.safeParse(resource);
    if (!d.success) return { ok: false, reason: `unreadable DocumentReference (${d.error.issues[0]?.path.join('.')})` };
    facts.statuses.push(d.data.status);
    if (d.data.docStatus) facts.statuses.push(d.data.docStatus);
    addCodes(facts.codes, d.data.type);
    addCodeValues(facts.categories, d.data.category, true);
    addCodeValues(facts.labels, d.data.securityLabel);
    facts.issued = parseInstant(d.data['date']);
  } else {
    const status = (resource as Record<string, unknown>)['status'];
    if (typeof status === 'string') facts.statuses.push(status);
  }
  return { ok: true, facts };
}
