import type { MemoryRepository } from '@medplum/fhir-router';
import {
  evalFhirPath,
  getSearchParameter,
  getSearchParameters,
  Operator,
  parseSearchRequest,
  type IncludeTarget,
  type SearchRequest,
} from '@medplum/core';
import type { Bundle, BundleEntry, BundleLink, Reference, Resource } from 'fhir/r4.js';
import type { FhirAccess } from './access.js';
import { SHARED_TYPES } from './compartment.js';
import { canRead } from './guard.js';
import { FhirError } from './outcome.js';

export type Query = Record<string, string | string[] | undefined>;

const DEFAULT_COUNT = 50;
const MAX_COUNT = 500;
const MAX_INCLUDED = 1000;

/**
 * Reference search values given as a bare id (`patient=123`) are widened to `Patient/123` the way
 * HAPI resolves them; medplum's in-memory matcher compares the full reference string.
 */
function normalizeQuery(resourceType: string, query: Query): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries(query)) {
    const [code, modifier] = key.split(':');
    const param = code ? getSearchParameter(resourceType, code) : undefined;
    const target = param?.type === 'reference' && !modifier ? defaultTarget(code!, param.target ?? []) : undefined;
    const fix = (v: string) => (target && v && !v.includes('/') ? v.split(',').map((x) => `${target}/${x}`).join(',') : v);
    out[key] = Array.isArray(value) ? value.map(fix) : value === undefined ? undefined : fix(value);
  }
  return out;
}

function defaultTarget(code: string, targets: readonly string[]): string | undefined {
  if (targets.length === 1) return targets[0];
  if (code === 'patient' || code === 'subject' || code === 'beneficiary') return 'Patient';
  return undefined;
}

function intParam(query: Query, name: string): number | undefined {
  const raw = query[name];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new FhirError(400, 'invalid', `${name} must be a non-negative integer.`);
  return Number(v);
}

/** Limits a patient token's search to its own compartment, before paging and totals. */
function compartmentFilter(resourceType: string, access: FhirAccess): SearchRequest['filters'] {
  if (access.kind === 'system' || SHARED_TYPES.has(resourceType)) return [];
  if (resourceType === 'Patient') return [{ code: '_id', operator: Operator.EQUALS, value: access.patient }];
  if (getSearchParameter(resourceType, 'patient')) {
    return [{ code: 'patient', operator: Operator.EQUALS, value: `Patient/${access.patient}` }];
  }
  throw new FhirError(403, 'forbidden', `${resourceType} cannot be searched with a patient-scoped token.`);
}

function queryString(query: Query, overrides: Record<string, string>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k in overrides || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  for (const [k, v] of Object.entries(overrides)) p.set(k, v);
  return p.toString();
}

async function readReference(repo: MemoryRepository, ref: Reference, base: string): Promise<Resource | undefined> {
  let value = ref.reference;
  if (!value) return undefined;
  if (value.startsWith(`${base}/`)) value = value.slice(base.length + 1);
  const [type, id, extra] = value.split('/');
  if (!type || !id || extra !== undefined) return undefined;
  try {
    return (await repo.readResource(type, id)) as unknown as Resource;
  } catch {
    return undefined;
  }
}

async function collectIncludes(
  repo: MemoryRepository,
  access: FhirAccess,
  matches: Resource[],
  include: IncludeTarget[],
  revInclude: IncludeTarget[],
  base: string,
): Promise<Resource[]> {
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const out: Resource[] = [];
  const add = async (r: Resource | undefined) => {
    if (!r || out.length >= MAX_INCLUDED) return;
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    // Includes obey the same compartment and scope rules as reads: no other patient's data.
    if (await canRead(repo, access, r)) out.push(r);
  };
  for (const target of include) {
    const param = getSearchParameter(target.resourceType, target.searchParam);
    if (!param?.expression) throw new FhirError(400, 'invalid', `Unknown _include ${target.resourceType}:${target.searchParam}.`);
    for (const m of matches.filter((x) => x.resourceType === target.resourceType)) {
      const refs = evalFhirPath(param.expression, m as never) as Reference[];
      for (const ref of refs) {
        if (typeof ref?.reference !== 'string') continue;
        if (target.targetType && !ref.reference.includes(`${target.targetType}/`)) continue;
        await add(await readReference(repo, ref, base));
      }
    }
  }
  for (const target of revInclude) {
    if (!getSearchParameter(target.resourceType, target.searchParam)) {
      throw new FhirError(400, 'invalid', `Unknown _revinclude ${target.resourceType}:${target.searchParam}.`);
    }
    for (const m of matches) {
      const bundle = await repo.search({
        resourceType: target.resourceType,
        filters: [{ code: target.searchParam, operator: Operator.EQUALS, value: `${m.resourceType}/${m.id}` }],
        count: MAX_INCLUDED,
      } as SearchRequest);
      for (const e of bundle.entry ?? []) await add(e.resource as unknown as Resource);
    }
  }
  return out;
}

const LAST_UPDATED_OPS: Record<string, (t: number, v: number) => boolean> = {
  [Operator.EQUALS]: (t, v) => t === v,
  [Operator.GREATER_THAN]: (t, v) => t > v,
  [Operator.GREATER_THAN_OR_EQUALS]: (t, v) => t >= v,
  [Operator.LESS_THAN]: (t, v) => t < v,
  [Operator.LESS_THAN_OR_EQUALS]: (t, v) => t <= v,
  [Operator.STARTS_AFTER]: (t, v) => t > v,
  [Operator.ENDS_BEFORE]: (t, v) => t < v,
};

/**
 * MemoryRepository (4.5) matches nothing for `_lastUpdated` (it is not on the resource body):
 * such filters, and a `_sort` on it, are applied here over the other filters' matches, then paged.
 * Change feeds (`_lastUpdated=gt…`, SMART Backend Services polling) rely on it.
 */
async function searchWithLastUpdated(repo: MemoryRepository, request: SearchRequest): Promise<Bundle> {
  const lastUpdated = (request.filters ?? []).filter((f) => f.code === '_lastUpdated');
  const sortsOnIt = (request.sortRules ?? []).filter((r) => r.code === '_lastUpdated');
  if (!lastUpdated.length && !sortsOnIt.length) return (await repo.search(request)) as unknown as Bundle;
  const tests = lastUpdated.map((f) => {
    const op = LAST_UPDATED_OPS[f.operator];
    const v = Date.parse(f.value);
    if (!op || Number.isNaN(v)) throw new FhirError(400, 'invalid', '_lastUpdated must be a date with gt, ge, lt, le or eq.');
    return (t: number) => op(t, v);
  });
  const all = await repo.search({
    ...request,
    filters: (request.filters ?? []).filter((f) => f.code !== '_lastUpdated'),
    sortRules: (request.sortRules ?? []).filter((r) => r.code !== '_lastUpdated'),
    count: 100_000,
    offset: 0,
  });
  const at = (e: { resource?: unknown }) => Date.parse((e.resource as Resource | undefined)?.meta?.lastUpdated ?? '');
  const kept = (all.entry ?? []).filter((e) => tests.every((t) => t(at(e))));
  if (sortsOnIt.length) kept.sort((a, b) => (sortsOnIt[0]!.descending ? at(b) - at(a) : at(a) - at(b)));
  const offset = request.offset ?? 0;
  return { resourceType: 'Bundle', type: 'searchset', total: kept.length, entry: kept.slice(offset, offset + (request.count ?? DEFAULT_COUNT)) as BundleEntry[] };
}

/**
 * Search over medplum's MemoryRepository, shaped like HAPI's answer: compartment limits, `_include`
 * and `_revinclude` (the repository ignores them), `search.mode`, `total`, and `self`/`next` links.
 */
export async function search(
  repo: MemoryRepository,
  access: FhirAccess,
  resourceType: string,
  rawQuery: Query,
  base: string,
): Promise<Bundle> {
  if (!getSearchParameters(resourceType)) throw new FhirError(404, 'not-supported', `Unknown resource type ${resourceType}.`);
  const query = normalizeQuery(resourceType, rawQuery);
  const count = Math.min(intParam(query, '_count') ?? DEFAULT_COUNT, MAX_COUNT);
  const offset = intParam(query, '_offset') ?? 0;
  let parsed: SearchRequest;
  try {
    parsed = parseSearchRequest(resourceType as never, query);
  } catch {
    throw new FhirError(400, 'invalid', 'The search parameters are not valid.');
  }
  const { include = [], revInclude = [], ...rest } = parsed;
  const request: SearchRequest = {
    ...rest,
    filters: [...(rest.filters ?? []), ...(compartmentFilter(resourceType, access) ?? [])],
    count,
    offset,
  };
  let result;
  try {
    result = await searchWithLastUpdated(repo, request);
  } catch (e) {
    // Our own refusals (a malformed _lastUpdated) say what was wrong; the repository's do not.
    if (e instanceof FhirError) throw e;
    throw new FhirError(400, 'invalid', 'The search could not be run with these parameters.');
  }
  const matches: Resource[] = [];
  for (const e of result.entry ?? []) {
    const r = e.resource as unknown as Resource;
    // Defence in depth: the filter above already limits the compartment.
    if (await canRead(repo, access, r)) matches.push(r);
  }
  const included = await collectIncludes(repo, access, matches, include, revInclude, base);
  const total = result.total ?? matches.length;
  const link: BundleLink[] = [
    { relation: 'self', url: `${base}/${resourceType}?${queryString(rawQuery, { _count: String(count), _offset: String(offset) })}` },
  ];
  if (offset + count < total) {
    link.push({
      relation: 'next',
      url: `${base}/${resourceType}?${queryString(rawQuery, { _count: String(count), _offset: String(offset + count) })}`,
    });
  }
  const entry: BundleEntry[] = [
    ...matches.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' as const } })),
    ...included.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'include' as const } })),
  ];
  return { resourceType: 'Bundle', type: 'searchset', total, link, ...(entry.length ? { entry } : {}) };
}
