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

// Plain (stripping) objects: the engine reads only these fields, and zod then never walks or
// copies the rest of a large resource.
const Coding = z.object({ system: z.string().optional(), code: z.string().optional() });
const Concept = z.object({ coding: z.array(Coding).optional() });
const Concepts = z.array(Concept);

const base = {
  resourceType: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/),
  id: z.string().regex(FHIR_ID),
  meta: z.object({ security: z.array(Coding).optional() }).optional(),
};
const Base = z.object(base);

const Report = z.object({
  ...base,
  status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error']),
  code: Concept.optional(),
  category: Concepts.optional(),
  issued: z.unknown().optional(),
});

const Obs = z.object({
  ...base,
  status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error']),
  code: Concept.optional(),
  category: Concepts.optional(),
  interpretation: Concepts.optional(),
  component: z.array(z.object({ code: Concept.optional(), interpretation: Concepts.optional() })).optional(),
  issued: z.unknown().optional(),
});

const Doc = z.object({
  ...base,
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  docStatus: z.enum(['preliminary', 'final', 'amended', 'entered-in-error']).optional(),
  type: Concept.optional(),
  category: Concepts.optional(),
  securityLabel: Concepts.optional(),
  date: z.unknown().optional(),
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

const NOT_A_RESOURCE: Classified = { ok: false, reason: 'not a FHIR resource with resourceType and id' };

function newFacts(type: string, id: string, security: readonly z.infer<typeof Coding>[] | undefined): ResourceFacts {
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
  for (const s of security ?? []) if (s.code) facts.labels.add(s.code);
  return facts;
}

/** The base fields' problems first, so a resource without a readable id says so. */
function unreadable(type: string, resource: unknown, error: z.ZodError): Classified {
  if (!Base.safeParse(resource).success) return NOT_A_RESOURCE;
  return { ok: false, reason: `unreadable ${type} (${error.issues[0]?.path.join('.')})` };
}

export function classify(resource: unknown): Classified {
  const type = (resource as { resourceType?: unknown } | null | undefined)?.resourceType;
  if (type === 'DiagnosticReport') {
    const r = Report.safeParse(resource);
    if (!r.success) return unreadable(type, resource, r.error);
    const facts = newFacts(type, r.data.id, r.data.meta?.security);
    facts.statuses.push(r.data.status);
    addCodes(facts.codes, r.data.code);
    addCodeValues(facts.categories, r.data.category, true);
    facts.issued = parseInstant(r.data.issued);
    return { ok: true, facts };
  }
  if (type === 'Observation') {
    const o = Obs.safeParse(resource);
    if (!o.success) return unreadable(type, resource, o.error);
    const facts = newFacts(type, o.data.id, o.data.meta?.security);
    facts.statuses.push(o.data.status);
    addCodes(facts.codes, o.data.code);
    addCodeValues(facts.categories, o.data.category, true);
    addCodeValues(facts.interpretations, o.data.interpretation);
    for (const comp of o.data.component ?? []) {
      addCodes(facts.codes, comp.code);
      addCodeValues(facts.interpretations, comp.interpretation);
    }
    facts.issued = parseInstant(o.data.issued);
    return { ok: true, facts };
  }
  if (type === 'DocumentReference') {
    const d = Doc.safeParse(resource);
    if (!d.success) return unreadable(type, resource, d.error);
    const facts = newFacts(type, d.data.id, d.data.meta?.security);
    facts.statuses.push(d.data.status);
    if (d.data.docStatus) facts.statuses.push(d.data.docStatus);
    addCodes(facts.codes, d.data.type);
    addCodeValues(facts.categories, d.data.category, true);
    addCodeValues(facts.labels, d.data.securityLabel);
    facts.issued = parseInstant(d.data.date);
    return { ok: true, facts };
  }
  const base = Base.safeParse(resource);
  if (!base.success) return NOT_A_RESOURCE;
  const facts = newFacts(base.data.resourceType, base.data.id, base.data.meta?.security);
  const status = (resource as Record<string, unknown>)['status'];
  if (typeof status === 'string') facts.statuses.push(status);
  return { ok: true, facts };
}
