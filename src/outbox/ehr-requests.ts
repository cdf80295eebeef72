import type { Bundle, Resource } from 'fhir/r4.js';
import { ehrFailure } from '../fhir/fhir-errors.js';

/**
 * The two requests delivery needs that FhirSession does not offer: one page of a search (the
 * newest message of a thread, without following every page) and an update with If-Match.
 */
export interface EhrRequestOptions {
  baseUrl: string;
  ehrName: string;
  token: () => Promise<string>;
  timeoutMs: number;
}

async function send(o: EhrRequestOptions, path: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<unknown> {
  const url = `${o.baseUrl.replace(/\/+$/, '')}/${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/fhir+json', authorization: `Bearer ${await o.token()}`, ...(init.body ? { 'content-type': 'application/fhir+json' } : {}), ...init.headers },
      ...(init.body ? { body: init.body } : {}),
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    });
  } catch {
    throw ehrFailure(o.ehrName, undefined);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw ehrFailure(o.ehrName, res.status, body);
  return body;
}

/** The first page only. */
export async function searchOnePage<T extends Resource>(o: EhrRequestOptions, resourceType: string, params: Record<string, string>): Promise<T[]> {
  const bundle = (await send(o, `${resourceType}?${new URLSearchParams(params)}`, { method: 'GET' })) as Bundle | undefined;
  return (bundle?.entry ?? []).filter((e) => e.resource?.resourceType === resourceType && e.search?.mode !== 'include').map((e) => e.resource as T);
}

/** PUT, with If-Match on the version the change was based on (412 when someone changed it since). */
export async function updateResource<T extends Resource>(o: EhrRequestOptions, resource: T & { id: string }, versionId?: string): Promise<T> {
  return (await send(o, `${resource.resourceType}/${encodeURIComponent(resource.id)}`, {
    method: 'PUT',
    body: JSON.stringify(resource),
    headers: versionId ? { 'if-match': `W/"${versionId}"` } : {},
  })) as T;
}
