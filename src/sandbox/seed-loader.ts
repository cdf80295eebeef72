import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource } from 'fhir/r4.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

const URN_UUID_RE = /^urn:uuid:([0-9a-fA-F-]{36})$/;

interface Planned {
  resource: Resource;
  id: string;
}

/** Replaces every `reference` (and attachment `url`) that names a bundle-local fullUrl. */
async function rewriteReferences(
  value: unknown,
  map: ReadonlyMap<string, string>,
  resolveConditional: (ref: string) => Promise<string | undefined>,
): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) await rewriteReferences(v, map, resolveConditional);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key of ['reference', 'url'] as const) {
    const ref = obj[key];
    if (typeof ref !== 'string') continue;
    const local = map.get(ref);
    if (local) obj[key] = local;
    else if (key === 'reference' && /^[A-Z][A-Za-z]+\?/.test(ref)) {
      const resolved = await resolveConditional(ref);
      if (resolved) obj[key] = resolved;
    }
  }
  for (const [k, v] of Object.entries(obj)) if (k !== 'reference') await rewriteReferences(v, map, resolveConditional);
}

/**
 * Loads a transaction/batch Bundle the way a FHIR server processes one: PUT entries keep the id in
 * their URL, POST entries get their resource id (or the urn:uuid of their fullUrl) and
 * `If-None-Exist` creates are skipped when a match exists; then every `urn:uuid` reference is
 * rewritten to `Type/id`. Writes go straight to the repository (one pass, no per-entry routing).
 * Returns the `Type/id` of every resource written.
 */
export async function loadBundle(repo: MemoryRepository, bundle: Bundle, label = 'bundle'): Promise<string[]> {
  const map = new Map<string, string>();
  const planned: Planned[] = [];
  for (const [i, entry] of (bundle.entry ?? []).entries()) {
    const resource = entry.resource;
    if (!resource) continue;
    const method = entry.request?.method ?? (resource.id ? 'PUT' : 'POST');
    const where = `${label} entry[${i}]`;
    let id: string | undefined;
    if (method === 'PUT') {
      const [type, urlId] = (entry.request?.url ?? `${resource.resourceType}/${resource.id ?? ''}`).split('/');
      if (type !== resource.resourceType || !urlId || !FHIR_ID.test(urlId)) throw new Error(`${where}: PUT url must be ${resource.resourceType}/<id>`);
      id = urlId;
    } else if (method === 'POST') {
      if (entry.request?.ifNoneExist) {
        const existing = await repo.searchOne(parseSearchRequest(`${resource.resourceType}?${entry.request.ifNoneExist}`));
        if (existing) {
          if (entry.fullUrl) map.set(entry.fullUrl, `${resource.resourceType}/${existing.id}`);
          continue;
        }
      }
      const fromUrn = entry.fullUrl ? URN_UUID_RE.exec(entry.fullUrl)?.[1] : undefined;
      id = resource.id && FHIR_ID.test(resource.id) ? resource.id : (fromUrn ?? repo.generateId());
    } else {
      throw new Error(`${where}: only POST and PUT entries can be loaded`);
    }
    if (entry.fullUrl) map.set(entry.fullUrl, `${resource.resourceType}/${id}`);
    planned.push({ resource, id });
  }
  const conditionalCache = new Map<string, string | undefined>();
  const resolveConditional = async (ref: string) => {
    if (!conditionalCache.has(ref)) {
      const found = await repo.searchOne(parseSearchRequest(ref)).catch(() => undefined);
      conditionalCache.set(ref, found ? `${found.resourceType}/${found.id}` : undefined);
    }
    return conditionalCache.get(ref);
  };
  for (const { resource, id } of planned) {
    const copy = structuredClone(resource) as Resource;
    copy.id = id;
    await rewriteReferences(copy, map, resolveConditional);
    await repo.createResource(copy as never);
  }
  return planned.map(({ resource, id }) => `${resource.resourceType}/${id}`);
}

export interface DirLoadResult {
  files: number;
  resources: number;
  ms: number;
}

/** Loads every `*.json` FHIR Bundle (or single resource) in `dir`, in name order. */
export async function loadSeedDir(repo: MemoryRepository, dir: string, onPatient?: (id: string) => void): Promise<DirLoadResult> {
  const started = performance.now();
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  let resources = 0;
  for (const name of names) {
    let parsed: Resource;
    try {
      parsed = JSON.parse(await readFile(join(dir, name), 'utf8')) as Resource;
    } catch (cause) {
      throw new Error(`seed file ${name} is not valid JSON`, { cause });
    }
    const bundle =
      parsed.resourceType === 'Bundle'
        ? (parsed as Bundle)
        : ({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: parsed }] } as Bundle);
    const written = await loadBundle(repo, bundle, name);
    resources += written.length;
    for (const ref of written) if (ref.startsWith('Patient/')) onPatient?.(ref.slice('Patient/'.length));
  }
  return { files: names.length, resources, ms: Math.round(performance.now() - started) };
}
