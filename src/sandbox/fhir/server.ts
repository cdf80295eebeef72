import type Koa from 'koa';
import type { FhirRequest, FhirResponse, FhirRouter, HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import { getSearchParameter, getStatus, isOk, OperationOutcomeError } from '@medplum/core';
import type Provider from 'oidc-provider';
import type { Binary, Bundle, OperationOutcome, Resource } from 'fhir/r4.js';
import type { Logger } from '../../log.js';
import { readJson, readRaw } from '../http-util.js';
import { authenticate, requireScope, type FhirAccess } from './access.js';
import { capabilityStatement, smartConfiguration, type AuthUrls } from './capability.js';
import { canRead, canWriteContent } from './guard.js';
import { FhirError, sendOutcome } from './outcome.js';
import { search, type Query } from './search.js';
import { FHIR_ID } from '../../fhir/fhir-id.js';

export interface FhirServerDeps {
  repo: MemoryRepository;
  router: FhirRouter;
  provider: Provider;
  now: () => Date;
  /** Absolute FHIR base, e.g. http://localhost:3000/sandbox/fhir */
  fhirBase: string;
  urls: AuthUrls;
  logger: Logger;
}

const TYPE_RE = /^[A-Z][A-Za-z]{1,63}$/;
const FHIR_JSON = 'application/fhir+json';
const MAX_BODY = 20 * 1024 * 1024;

function sendJson(ctx: Koa.Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = FHIR_JSON;
  ctx.body = body;
}

function wantsFhirJson(ctx: Koa.Context): boolean {
  const format = ctx.query._format;
  if (typeof format === 'string' && format.includes('json')) return true;
  const accept = ctx.get('accept');
  return accept.includes('fhir+json') || accept.includes('application/json');
}

function isJsonContent(ctx: Koa.Context): boolean {
  return Boolean(ctx.is('application/fhir+json', 'application/json'));
}

async function jsonResource(ctx: Koa.Context, resourceType: string): Promise<Resource> {
  let body: unknown;
  try {
    body = await readJson(ctx, MAX_BODY);
  } catch {
    throw new FhirError(400, 'structure', 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new FhirError(400, 'structure', 'The request body must be a FHIR resource.');
  }
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (rt !== resourceType) throw new FhirError(400, 'invalid', `resourceType must be ${resourceType}.`);
  return body as Resource;
}

function toMedplumRequest(method: HttpMethod, url: string, body?: unknown, headers?: Record<string, string>): FhirRequest {
  return { method, url, pathname: '', body, params: {}, query: {}, ...(headers ? { headers } : {}) };
}

/** Narrows If-None-Exist to the caller's compartment, so a match can never be another patient's resource. */
function scopedIfNoneExist(access: FhirAccess, resourceType: string, condition: string): string {
  if (access.kind === 'system') return condition;
  if (resourceType === 'Patient') return `${condition}&_id=${encodeURIComponent(access.patient)}`;
  if (getSearchParameter(resourceType, 'patient')) {
    return `${condition}&patient=${encodeURIComponent(`Patient/${access.patient}`)}`;
  }
  return condition;
}

export function createFhirHandler(deps: FhirServerDeps): (ctx: Koa.Context, subPath: string) => Promise<void> {
  const { repo, router, fhirBase } = deps;

  function respond(ctx: Koa.Context, [outcome, resource]: FhirResponse): void {
    const status = getStatus(outcome as never);
    if (!resource || !isOk(outcome as never)) {
      sendJson(ctx, status, outcome);
      return;
    }
    const r = resource as unknown as Resource;
    const vid = r.meta?.versionId;
    if (vid) ctx.set('ETag', `W/"${vid}"`);
    if (r.meta?.lastUpdated) ctx.set('Last-Modified', new Date(r.meta.lastUpdated).toUTCString());
    if (status === 201 && r.id) {
      ctx.set('Location', `${fhirBase}/${r.resourceType}/${r.id}${vid ? `/_history/${vid}` : ''}`);
    }
    sendJson(ctx, status, r);
  }

  async function read(ctx: Koa.Context, access: FhirAccess, type: string, id: string): Promise<void> {
    requireScope(access, type, 'r');
    let resource: Resource;
    try {
      resource = (await repo.readResource(type, id)) as unknown as Resource;
    } catch {
      throw new FhirError(404, 'not-found', `${type}/${id} is not known.`);
    }
    // Outside the compartment looks the same as absent: no existence oracle.
    if (!(await canRead(repo, access, resource))) throw new FhirError(404, 'not-found', `${type}/${id} is not known.`);
    if (type === 'Binary' && !wantsFhirJson(ctx)) {
      const b = resource as Binary;
      ctx.status = 200;
      ctx.type = b.contentType ?? 'application/octet-stream';
      ctx.body = Buffer.from(b.data ?? '', 'base64');
      return;
    }
    respond(ctx, [{ resourceType: 'OperationOutcome', id: 'ok', issue: [{ severity: 'information', code: 'informational' }] } as never, resource as never]);
  }

  async function create(ctx: Koa.Context, access: FhirAccess, type: string): Promise<void> {
    requireScope(access, type, 'c');
    let resource: Resource;
    if (type === 'Binary' && !isJsonContent(ctx)) {
      const raw = await readRaw(ctx, MAX_BODY);
      const securityContext = ctx.get('x-security-context');
      const binary: Binary = {
        resourceType: 'Binary',
        contentType: ctx.get('content-type') || 'application/octet-stream',
        data: raw.toString('base64'),
        ...(securityContext ? { securityContext: { reference: securityContext } } : {}),
      };
      resource = binary;
    } else {
      resource = await jsonResource(ctx, type);
    }
    if (resource.resourceType === 'Binary' && access.kind === 'patient' && !(resource as Binary).securityContext) {
      (resource as Binary).securityContext = { reference: `Patient/${access.patient}` };
    }
    if (!canWriteContent(access, resource)) {
      throw new FhirError(403, 'forbidden', `This token may only write ${type} resources of its own patient.`);
    }
    delete resource.id;
    const condition = ctx.get('if-none-exist');
    const headers = condition ? { 'if-none-exist': scopedIfNoneExist(access, type, condition) } : undefined;
    const result = await router.handleRequest(toMedplumRequest('POST', type, resource, headers), repo);
    const existing = result[1] as unknown as Resource | undefined;
    if (condition && existing && getStatus(result[0] as never) === 200 && !(await canRead(repo, access, existing))) {
      throw new FhirError(412, 'conflict', 'The If-None-Exist condition matched a resource this token may not see.');
    }
    respond(ctx, result);
  }

  async function update(ctx: Koa.Context, access: FhirAccess, type: string, id: string): Promise<void> {
    requireScope(access, type, 'u');
    const resource = await jsonResource(ctx, type);
    if (resource.id !== id) throw new FhirError(400, 'invalid', 'The resource id must match the URL.');
    let current: Resource | undefined;
    try {
      current = (await repo.readResource(type, id)) as unknown as Resource;
    } catch {
      current = undefined;
    }
    if (current && !(await canRead(repo, access, current))) throw new FhirError(404, 'not-found', `${type}/${id} is not known.`);
    if (!canWriteContent(access, resource)) {
      throw new FhirError(403, 'forbidden', `This token may only write ${type} resources of its own patient.`);
    }
    const ifMatch = ctx.get('if-match');
    const headers = ifMatch ? { 'if-match': ifMatch } : undefined;
    respond(ctx, await router.handleRequest(toMedplumRequest('PUT', `${type}/${id}`, resource, headers), repo));
  }

  async function batch(ctx: Koa.Context, access: FhirAccess): Promise<void> {
    if (access.kind !== 'system') throw new FhirError(403, 'forbidden', 'Batch and transaction need a system token.');
    const body = await readJson(ctx, MAX_BODY).catch(() => undefined);
    const bundle = body as Bundle | undefined;
    if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'batch' && bundle.type !== 'transaction')) {
      throw new FhirError(400, 'invalid', 'The body must be a batch or transaction Bundle.');
    }
    const perm = { GET: 'r', POST: 'c', PUT: 'u', PATCH: 'u', DELETE: 'd', HEAD: 'r' } as const;
    for (const [i, e] of (bundle.entry ?? []).entries()) {
      const method = e.request?.method;
      const type = e.request?.url?.split(/[/?]/)[0];
      if (!method || !type) throw new FhirError(400, 'invalid', `Bundle.entry[${i}].request is incomplete.`);
      requireScope(access, type, perm[method]);
    }
    respond(ctx, await router.handleRequest(toMedplumRequest('POST', '', bundle), repo));
  }

  async function route(ctx: Koa.Context, subPath: string): Promise<void> {
    const segments = subPath.split('/').filter(Boolean);
    if (ctx.method === 'GET' && subPath === '/metadata') {
      sendJson(ctx, 200, capabilityStatement(fhirBase, deps.urls, deps.now()));
      return;
    }
    if (ctx.method === 'GET' && subPath === '/.well-known/smart-configuration') {
      ctx.body = smartConfiguration(deps.urls);
      return;
    }
    const access = await authenticate(ctx, deps.provider, deps.now);
    const [type, second, third] = segments;
    if (!type) {
      if (ctx.method === 'POST') return batch(ctx, access);
      throw new FhirError(405, 'not-supported', 'Only batch/transaction POST is supported at the base.');
    }
    if (!TYPE_RE.test(type)) throw new FhirError(404, 'not-found', 'Unknown resource type.');
    if (third !== undefined) throw new FhirError(404, 'not-supported', 'History and operations are not supported.');
    if (second === undefined) {
      if (ctx.method === 'GET') {
        requireScope(access, type, 's');
        sendJson(ctx, 200, await search(repo, access, type, ctx.query as Query, fhirBase));
        return;
      }
      if (ctx.method === 'POST') return create(ctx, access, type);
      throw new FhirError(405, 'not-supported', 'Method not allowed.');
    }
    if (second === '_search' && ctx.method === 'POST') {
      requireScope(access, type, 's');
      const form = new URLSearchParams((await readRaw(ctx, 64 * 1024)).toString('utf8'));
      const query: Query = { ...(ctx.query as Query) };
      for (const [k, v] of form) {
        const prev = query[k];
        query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
      }
      sendJson(ctx, 200, await search(repo, access, type, query, fhirBase));
      return;
    }
    if (!FHIR_ID.test(second)) throw new FhirError(404, 'not-found', 'Unknown resource id.');
    if (ctx.method === 'GET') return read(ctx, access, type, second);
    if (ctx.method === 'PUT') return update(ctx, access, type, second);
    throw new FhirError(405, 'not-supported', 'Method not allowed.');
  }

  return async (ctx, subPath) => {
    try {
      await route(ctx, subPath);
    } catch (err) {
      if (err instanceof FhirError) {
        if (err.status === 401) ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        sendOutcome(ctx, err.status, err.code, err.message);
        return;
      }
      if (err instanceof OperationOutcomeError) {
        sendJson(ctx, getStatus(err.outcome), err.outcome as unknown as OperationOutcome);
        return;
      }
      const status = (err as { status?: number }).status;
      if (status === 413) {
        sendOutcome(ctx, 413, 'too-costly', 'The request body is too large.');
        return;
      }
      deps.logger.error({ event: 'sandbox.fhir_error', err: (err as Error).name }, 'sandbox FHIR request failed');
      sendOutcome(ctx, 500, 'exception', 'The sandbox FHIR server failed to process the request.');
    }
  };
}
