/**
 * A small validator driven by a StructureDefinition's differential (fhir-profiles/): cardinality,
 * fixed[x] and pattern[x] values, required bindings to the project's ValueSets, reference target
 * types. Base R4 validity is medplum's validateResource. Nothing here knows a particular profile.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { ElementDefinition, StructureDefinition, ValueSet } from 'fhir/r4.js';

export const PROFILE_DIR = fileURLToPath(new URL('../../../fhir-profiles/', import.meta.url));

export function loadProfiles(): Map<string, StructureDefinition> {
  const out = new Map<string, StructureDefinition>();
  for (const f of readdirSync(PROFILE_DIR).filter((x) => x.endsWith('.json'))) {
    const sd = JSON.parse(readFileSync(PROFILE_DIR + f, 'utf8')) as StructureDefinition;
    out.set(sd.url, sd);
  }
  return out;
}

function loadValueSets(): Map<string, ValueSet> {
  const dir = `${PROFILE_DIR}valuesets/`;
  return new Map(readdirSync(dir).map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as ValueSet).map((v) => [v.url!, v]));
}

type Node = unknown;

/** Children of the nodes at one path segment (arrays flattened; `x[x]` matches xString, xAttachment…). */
function step(nodes: Node[], segment: string): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    if (!n || typeof n !== 'object') continue;
    const rec = n as Record<string, unknown>;
    const keys = segment.endsWith('[x]') ? Object.keys(rec).filter((k) => k.startsWith(segment.slice(0, -3)) && /^[A-Z]/.test(k.slice(segment.length - 3))) : [segment];
    for (const k of keys) {
      const v = rec[k];
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
  }
  return out;
}

function at(resource: object, path: string): Node[] {
  return path.split('.').slice(1).reduce<Node[]>((nodes, seg) => step(nodes, seg), [resource]);
}

/** `pattern` is contained in `value` (FHIR pattern semantics: arrays match item by item). */
function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([k, p]) => matchesPattern((value as Record<string, unknown>)[k], p));
  }
  return isDeepStrictEqual(value, pattern);
}

function prefixed(e: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  const key = Object.keys(e).find((k) => k.startsWith(prefix));
  return key ? (e as unknown as Record<string, unknown>)[key] : undefined;
}

function codesOf(v: unknown): { system?: string; code: string }[] {
  if (typeof v === 'string') return [{ code: v }];
  const o = v as { system?: string; code?: string; coding?: { system?: string; code?: string }[] };
  if (o?.coding) return o.coding.filter((c) => c.code).map((c) => ({ ...(c.system ? { system: c.system } : {}), code: c.code! }));
  return o?.code ? [{ ...(o.system ? { system: o.system } : {}), code: o.code }] : [];
}

function inValueSet(vs: ValueSet, c: { system?: string; code: string }): boolean {
  return (vs.compose?.include ?? []).some((inc) => (!c.system || c.system === inc.system) && (inc.concept ?? []).some((k) => k.code === c.code));
}

/** Problems of `resource` against `sd`'s differential, as `path: what` strings (empty when it conforms). */
export function checkProfile(resource: { resourceType: string }, sd: StructureDefinition): string[] {
  const problems: string[] = [];
  if (resource.resourceType !== sd.type) return [`resourceType: expected ${sd.type}`];
  const valueSets = loadValueSets();
  for (const e of sd.differential?.element ?? []) {
    const parts = e.path.split('.');
    const parentPath = parts.slice(0, -1).join('.');
    const parents = parts.length === 2 ? [resource] : at(resource, parentPath);
    const last = parts[parts.length - 1]!;
    for (const [i, parent] of parents.entries()) {
      // A choice element's primitive alternative (contentString) has no children to count.
      if (!parent || typeof parent !== 'object') continue;
      const values = step([parent], last);
      if (e.min !== undefined && values.length < e.min) problems.push(`${e.path}[${i}]: at least ${e.min} expected, found ${values.length}`);
      if (e.max !== undefined && e.max !== '*' && values.length > Number(e.max)) problems.push(`${e.path}[${i}]: at most ${e.max} allowed, found ${values.length}`);
    }
    const values = at(resource, e.path);
    const fixed = prefixed(e, 'fixed');
    if (fixed !== undefined) for (const v of values) if (!isDeepStrictEqual(v, fixed)) problems.push(`${e.path}: must be ${JSON.stringify(fixed)}`);
    const pattern = prefixed(e, 'pattern');
    if (pattern !== undefined) for (const v of values) if (!matchesPattern(v, pattern)) problems.push(`${e.path}: does not match the pattern`);
    if (e.binding?.strength === 'required' && e.binding.valueSet) {
      const vs = valueSets.get(e.binding.valueSet);
      if (!vs) problems.push(`${e.path}: value set ${e.binding.valueSet} is not in fhir-profiles/valuesets`);
      else for (const v of values) if (!codesOf(v).some((c) => inValueSet(vs, c))) problems.push(`${e.path}: ${JSON.stringify(v)} is not in ${vs.url}`);
    }
    const targets = (e.type ?? []).flatMap((t) => t.targetProfile ?? []).map((p) => p.split('/').pop()!);
    if (targets.length) {
      for (const v of values) {
        const ref = (v as { reference?: string }).reference ?? '';
        if (!targets.includes(ref.split('/')[0] ?? '')) problems.push(`${e.path}: ${ref} is not a reference to ${targets.join(' or ')}`);
      }
    }
  }
  return problems;
}
