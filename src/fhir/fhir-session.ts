import { Client, RESPONSE_KEY } from 'fhir-kit-client';
import type { Bundle, FhirResource, Resource } from 'fhir/r4.js';
import { EhrError, ehrFailure } from './fhir-errors.js';
import { FHIR_ID } from './fhir-id.js';
import { boundedMemo } from '../lib/bounded-memo.js';

export interface FhirSessionOptions {
  ehrId: string;
  ehrName: string;
  baseUrl: string;
  /** The patient from the token's launch context: the only patient any request may name. */
  patientId: string;
  /** A current access token (refreshed before expiry by the caller). */
  token: () => Promise<string>;
  /** Called once after a 401: refresh and return a new token, or undefined when that failed. */
  onUnauthorized?: () => Promise<string | undefined>;
  timeoutMs?: number;
  maxPages?: number;
  retries?: number;
  observe?: (op: string, outcome: string, ms: number) => void;
  /** For warnings without PHI (e.g. a `next` link to another origin). */
  warn?: (msg: string, data: Record<string, unknown>) => void;
  /** Injected for tests and the sandbox's in-process fetch. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SearchResult<T extends Resource = FhirResource> {
  matches: T[];
  included: FhirResource[];
  /** Pages read. */
  pages: number;
  /** True when more pages existed than the cap allowed (the view says so). */
  cut: boolean;
  /** True when a `next` link pointed outside the FHIR base and was not followed. */
  foreignLink: boolean;
}

type KitError = { response?: { status?: number; data?: unknown } };

/**
 * fhir-kit-client clients, one per FHIR base. A client keeps no session state here (every call
 * passes its own Authorization header), so sessions share it and its keep-alive agent instead
 * of building both on every request.
 */
const kitClients = boundedMemo<Client>(64);

/** The search parameters that name a patient; callers never set them, the session does. */
const PATIENT_PARAMS = ['patient', 'subject', 'subject:Patient', 'patient:Patient', 'participant', 'actor', 'recipient', 'sender', '_id'];

/**
 * FHIR access for one signed-in session, through fhir-kit-client. Searches are pinned to the
 * launch patient; every page is followed up to a cap, and only on the FHIR base's own origin
 * and path (fhir-kit-client's nextPage would send the token anywhere); GETs time out and retry
 * with backoff; failures become typed EhrErrors.
 */
export class FhirSession {
  private readonly client: Client;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: FhirSessionOptions) {
    this.base = new URL(o.baseUrl.replace(/\/+$/, '') + '/');
    const baseUrl = this.base.toString().replace(/\/$/, '');
    this.client = kitClients(baseUrl, () => new Client({ baseUrl }));
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.maxPages = o.maxPages ?? 20;
    this.retries = o.retries ?? 2;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get patientId(): string {
    return this.o.patientId;
  }

  get ehrName(): string {
    return this.o.ehrName;
  }

  /** True when an absolute URL lies inside this FHIR base (same origin and path prefix). */
  isInsideBase(url: string): boolean {
    try {
      const u = new URL(url, this.base);
      return u.origin === this.base.origin && u.pathname.startsWith(this.base.pathname);
    } catch {
      return false;
    }
  }

  async read<T extends Resource>(resourceType: string, id: string): Promise<T> {
    if (!FHIR_ID.test(id)) throw ehrFailure(this.o.ehrName, 404);
    return (await this.call('read', true, (options) => this.client.read({ resourceType, id, options }))) as T;
  }

  /**
   * Searches within the launch patient's records. `patientParam` names the search parameter that
   * links the type to the patient; whatever patient the caller's params named is discarded.
   */
  async searchPatient<T extends Resource>(resourceType: string, patientParam: string, params: Record<string, string> = {}): Promise<SearchResult<T>> {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (!PATIENT_PARAMS.includes(k)) clean[k] = v;
    clean[patientParam] = patientParam === 'patient' ? this.o.patientId : `Patient/${this.o.patientId}`;
    return this.search<T>(resourceType, clean);
  }

  /** Search without patient pinning: only for shared, non-patient resources (Practitioner, Location). */
  async searchShared<T extends Resource>(resourceType: string, params: Record<string, string>): Promise<SearchResult<T>> {
    return this.search<T>(resourceType, params);
  }

  private async search<T extends Resource>(resourceType: string, searchParams: Record<string, string>): Promise<SearchResult<T>> {
    const result: SearchResult<T> = { matches: [], included: [], pages: 0, cut: false, foreignLink: false };
    let bundle = (await this.call('search', true, (options) => this.client.search({ resourceType, searchParams, options }))) as Bundle;
    for (;;) {
      result.pages++;
      for (const e of bundle.entry ?? []) {
        if (!e.resource) continue;
        if (e.search?.mode === "include" || e.search?.mode === "outcome" || e.resource.resourceType !== resourceType) result.included.push(e.resource as FhirResource);
        else result.matches.push(e.resource as unknown as T);
      }
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      if (!this.isInsideBase(next)) {
        result.foreignLink = true;
        result.cut = true;
        this.o.warn?.('next link outside the FHIR base was not followed', { ehr: this.o.ehrId, resourceType });
        break;
      }
      if (result.pages >= this.maxPages) {
        result.cut = true;
        break;
      }
      const url = new URL(next, this.base).toString();
      bundle = (await this.call('page', true, (options) => this.client.request(url, { options }))) as Bundle;
    }
    return result;
  }

  async create<T extends Resource>(resource: T, ifNoneExist?: string): Promise<{ resource: T; created: boolean }> {
    const headers: Record<string, string> = { prefer: 'return=representation' };
    if (ifNoneExist) headers['if-none-exist'] = ifNoneExist;
    const out = (await this.call('create', false, (options) =>
      this.client.create({ resourceType: resource.resourceType, body: resource as never, options: { ...options, headers: { ...options.headers, ...headers } } }),
    )) as T;
    // 201 = created now; 200 = If-None-Exist matched an earlier delivery of the same write.
    const response = (out as unknown as Record<symbol, Response | undefined>)[RESPONSE_KEY as unknown as symbol];
    return { resource: out, created: response?.status !== 200 };
  }

  /** Opens a Binary or attachment URL inside the FHIR base as a stream (never buffered whole). */
  async openContent(url: string, accept = '*/*'): Promise<Response> {
    if (!this.isInsideBase(url)) throw ehrFailure(this.o.ehrName, 404);
    const target = new URL(url, this.base).toString();
    return this.withAuth('content', true, async (token, signal) => {
      const res = await fetch(target, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), accept }, signal, redirect: 'error' });
      if (!res.ok) {
        await res.body?.cancel();
        throw Object.assign(new Error('content'), { response: { status: res.status } });
      }
      return res;
    });
  }

  private call(op: string, idempotent: boolean, fn: (options: { headers: Record<string, string>; signal: AbortSignal }) => Promise<unknown>): Promise<unknown> {
    return this.withAuth(op, idempotent, (token, signal) => fn({ headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), accept: 'application/fhir+json' }, signal }));
  }

  private async withAuth<R>(op: string, idempotent: boolean, fn: (token: string, signal: AbortSignal) => Promise<R>): Promise<R> {
    let token = await this.o.token();
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        const r = await fn(token, AbortSignal.timeout(this.timeoutMs));
        this.o.observe?.(op, 'ok', Date.now() - started);
        return r;
      } catch (e) {
        const status = (e as KitError).response?.status;
        this.o.observe?.(op, status ? String(status) : 'network', Date.now() - started);
        if (status === 401 && !refreshed && this.o.onUnauthorized) {
          refreshed = true;
          const next = await this.o.onUnauthorized();
          if (next) {
            token = next;
            attempt--;
            continue;
          }
        }
        const retryable = status === undefined || status >= 500 || status === 429;
        if (idempotent && retryable && attempt < this.retries) {
          // Exponential backoff with full jitter: 0–200 ms, 0–400 ms, …
          await this.sleep(Math.random() * 200 * 2 ** attempt);
          continue;
        }
        if (e instanceof EhrError) throw e;
        throw ehrFailure(this.o.ehrName, status, (e as KitError).response?.data);
      }
    }
  }
}
