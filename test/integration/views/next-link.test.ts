import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle } from 'fhir/r4.js';
import { FhirSession } from '../../../src/fhir/fhir-session.js';

interface Seen {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

/** A tiny FHIR server: records every request and answers with whatever `answer` returns. */
async function fhirServer(answer: (req: IncomingMessage, url: URL) => Bundle | undefined): Promise<{ origin: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    const body = answer(req, url);
    res.statusCode = body ? 200 : 404;
    res.setHeader('content-type', 'application/fhir+json');
    res.end(JSON.stringify(body ?? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const obs = (id: string) => ({ resourceType: 'Observation' as const, id, status: 'final' as const, code: { text: 'x' }, subject: { reference: 'Patient/p1' } });

function page(ids: string[], next?: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
    entry: ids.map((id) => ({ resource: obs(id), search: { mode: 'match' } })),
  };
}

function session(base: string, warnings: Record<string, unknown>[] = [], maxPages = 5): FhirSession {
  return new FhirSession({
    ehrId: 'test-ehr',
    ehrName: 'Test EHR',
    baseUrl: base,
    patientId: 'p1',
    token: async () => 'secret-token',
    maxPages,
    retries: 0,
    warn: (_msg, data) => void warnings.push(data),
  });
}

describe('FhirSession never follows a next link outside its FHIR base (real HTTP)', () => {
  let ehr: Awaited<ReturnType<typeof fhirServer>>;
  let foreign: Awaited<ReturnType<typeof fhirServer>>;
  let nextUrl: string;

  before(async () => {
    foreign = await fhirServer(() => page(['stolen']));
    ehr = await fhirServer((_req, url) => {
      if (url.pathname === '/fhir/Observation' && !url.searchParams.has('page')) return page(['o1', 'o2'], nextUrl);
      if (url.pathname === '/fhir/Observation' && url.searchParams.get('page') === '2') return page(['o3']);
      return page(['elsewhere']);
    });
  });
  after(async () => {
    await ehr.close();
    await foreign.close();
  });
  beforeEach(() => {
    ehr.seen.length = 0;
    foreign.seen.length = 0;
  });

  it('follows a next link inside the base (control): both pages, patient pinned', async () => {
    nextUrl = `${ehr.origin}/fhir/Observation?page=2`;
    const r = await session(`${ehr.origin}/fhir`).searchPatient('Observation', 'patient', { patient: 'someone-else', _count: '2' });
    assert.deepEqual(r.matches.map((o) => o.id), ['o1', 'o2', 'o3']);
    assert.equal(r.pages, 2);
    assert.equal(r.cut, false);
    assert.equal(r.foreignLink, false);
    assert.equal(ehr.seen.length, 2);
    assert.equal(ehr.seen[0]!.query.get('patient'), 'p1');
    assert.equal(ehr.seen[1]!.authorization, 'Bearer secret-token');
  });

  it('does not call another origin: cut, foreignLink, zero requests there, a PHI-free warning', async () => {
    nextUrl = `${foreign.origin}/fhir/Observation?page=2`;
    const warnings: Record<string, unknown>[] = [];
    const r = await session(`${ehr.origin}/fhir`, warnings).searchPatient('Observation', 'patient');
    assert.equal(foreign.seen.length, 0);
    assert.equal(ehr.seen.length, 1);
    assert.deepEqual(r.matches.map((o) => o.id), ['o1', 'o2']);
    assert.equal(r.cut, true);
    assert.equal(r.foreignLink, true);
    assert.deepEqual(warnings, [{ ehr: 'test-ehr', resourceType: 'Observation' }]);
  });

  it('does not call another path on the same origin', async () => {
    nextUrl = `${ehr.origin}/other/Observation?page=2`;
    const r = await session(`${ehr.origin}/fhir`).searchPatient('Observation', 'patient');
    assert.deepEqual(ehr.seen.map((s) => s.path), ['/fhir/Observation']);
    assert.equal(r.cut, true);
    assert.equal(r.foreignLink, true);
  });

  it('does not treat a sibling path sharing the prefix (/fhir-evil) as inside the base', async () => {
    nextUrl = `${ehr.origin}/fhir-evil/Observation?page=2`;
    const r = await session(`${ehr.origin}/fhir`).searchPatient('Observation', 'patient');
    assert.deepEqual(ehr.seen.map((s) => s.path), ['/fhir/Observation']);
    assert.equal(r.foreignLink, true);
  });

  it('stops at the page cap and says the list was cut', async () => {
    nextUrl = `${ehr.origin}/fhir/Observation?page=2`;
    const r = await session(`${ehr.origin}/fhir`, [], 1).searchPatient('Observation', 'patient');
    assert.equal(ehr.seen.length, 1);
    assert.equal(r.cut, true);
    assert.equal(r.foreignLink, false);
  });

  it('sessions on one FHIR base share a client but never each other\'s token or patient', async () => {
    nextUrl = `${ehr.origin}/fhir/Observation?page=2`;
    const as = (token: string, patientId: string) =>
      new FhirSession({ ehrId: 'test-ehr', ehrName: 'Test EHR', baseUrl: `${ehr.origin}/fhir`, patientId, token: async () => token, retries: 0 });
    const people = Array.from({ length: 6 }, (_, i) => ({ token: `token-${i}`, patient: `p${i}` }));
    await Promise.all(people.map((p) => as(p.token, p.patient).searchPatient('Observation', 'patient')));
    // Two pages each; every request of a search carries that session's token, and the first its patient.
    assert.equal(ehr.seen.length, people.length * 2);
    for (const p of people) {
      const mine = ehr.seen.filter((s) => s.authorization === `Bearer ${p.token}`);
      assert.equal(mine.length, 2, p.token);
      assert.deepEqual(mine.filter((s) => s.query.has('patient')).map((s) => s.query.get('patient')), [p.patient]);
    }
  });
});
