/**
 * The FHIR traffic behind /api/summary and /api/results, made directly against the EHR with the
 * session's access token: (b) the adapter's own searches, fired the same way (in parallel, pages
 * followed in turn), and (c) the naive pattern (one request at a time, references read one by one).
 */
import type { Bundle, FhirResource, Reference } from 'fhir/r4.js';
import { OBSERVATION_SEARCH } from '../src/portal/clinical-records.js';
import type { SessionSecrets } from '../src/smart/sessions.js';
import type { TestPortal } from '../test/integration/helpers/test-portal.js';

export interface PlannedSearch {
  resourceType: string;
  /** The search parameter that names the patient (FhirSession.searchPatient sets it last). */
  patientParam: string;
  params: Record<string, string>;
}

// The same searches, with the same parameters, as src/portal/portal-service.ts and clinical-records.ts.
export const COMMUNICATIONS: PlannedSearch = { resourceType: 'Communication', patientParam: 'subject', params: { _include: 'Communication:sender', _count: '100', _sort: '-sent' } };
const APPOINTMENTS: PlannedSearch = { resourceType: 'Appointment', patientParam: 'patient', params: { _include: 'Appointment:actor', _count: '100', _sort: 'date' } };
export const REPORTS: PlannedSearch = { resourceType: 'DiagnosticReport', patientParam: 'patient', params: { _include: 'DiagnosticReport:result', _count: '100', _sort: '-issued' } };
export const OBSERVATIONS: PlannedSearch = { resourceType: 'Observation', patientParam: 'patient', params: { ...OBSERVATION_SEARCH } };
const DOCUMENTS: PlannedSearch = { resourceType: 'DocumentReference', patientParam: 'patient', params: { _count: '100', _sort: '-date' } };

export const ADAPTER_SEARCHES = {
  summary: [COMMUNICATIONS, APPOINTMENTS, REPORTS, OBSERVATIONS, DOCUMENTS],
  results: [REPORTS, OBSERVATIONS],
} as const;

export type Endpoint = keyof typeof ADAPTER_SEARCHES;

export class RawFhir {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly patientId: string,
  ) {}

  /** One GET; a request the EHR refuses (a naive read of something out of scope) is skipped, not fatal. */
  private async get(url: string): Promise<FhirResource | undefined> {
    const res = await fetch(url, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/fhir+json' } });
    const body = (await res.json()) as FhirResource;
    if (res.status >= 500) throw new Error(`EHR answered ${res.status}`);
    return res.ok ? body : undefined;
  }

  /** One search, every page in turn (as FhirSession does), the resources of every page. */
  async search(s: PlannedSearch, withoutInclude = false): Promise<FhirResource[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(s.params)) if (!(withoutInclude && k === '_include')) q.set(k, v);
    q.set(s.patientParam, s.patientParam === 'patient' ? this.patientId : `Patient/${this.patientId}`);
    const out: FhirResource[] = [];
    let url: string | undefined = `${this.base}/${s.resourceType}?${q}`;
    while (url) {
      const bundle = (await this.get(url)) as Bundle | undefined;
      for (const e of bundle?.entry ?? []) if (e.resource) out.push(e.resource as FhirResource);
      url = bundle?.link?.find((l) => l.relation === 'next')?.url;
    }
    return out;
  }

  /** (b) The adapter's searches for an endpoint, all at once. */
  async parallel(endpoint: Endpoint): Promise<number> {
    const found = await Promise.all(ADAPTER_SEARCHES[endpoint].map((s) => this.search(s)));
    return found.reduce((n, list) => n + list.length, 0);
  }

  private async readAll(refs: Iterable<string>): Promise<number> {
    let n = 0;
    for (const ref of refs) if (await this.get(`${this.base}/${ref}`)) n++;
    return n;
  }

  /** (c) The naive pattern: one request at a time; each referenced resource read on its own. */
  async naive(endpoint: Endpoint): Promise<number> {
    let n = 0;
    const refsOf = (list: FhirResource[], pick: (r: FhirResource) => (Reference | undefined)[]) =>
      new Set(list.flatMap(pick).map((r) => r?.reference).filter((r): r is string => typeof r === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(r)));
    if (endpoint === 'summary') {
      const comms = await this.search(COMMUNICATIONS, true);
      n += comms.length + (await this.readAll(refsOf(comms, (r) => (r.resourceType === 'Communication' ? [r.sender] : []))));
      const appts = await this.search(APPOINTMENTS, true);
      n += appts.length + (await this.readAll(refsOf(appts, (r) => (r.resourceType === 'Appointment' ? r.participant.map((p) => p.actor) : []))));
    }
    const reports = await this.search(REPORTS, true);
    n += reports.length + (await this.readAll(refsOf(reports, (r) => (r.resourceType === 'DiagnosticReport' ? (r.result ?? []) : []))));
    n += (await this.search(OBSERVATIONS)).length;
    if (endpoint === 'summary') n += (await this.search(DOCUMENTS)).length;
    return n;
  }
}

/** The access token of the portal's newest session (the one the bench just launched). */
export async function newestSessionToken(portal: TestPortal): Promise<string> {
  const row = (await portal.db.query('SELECT secrets FROM portal_session ORDER BY created_at DESC LIMIT 1'))[0] as { secrets: string };
  return (await portal.services.cipher.decryptJson<SessionSecrets>(row.secrets)).accessToken;
}
