import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Koa from 'koa';
import type Router from '@koa/router';
import type { DiagnosticReport } from 'fhir/r4.js';
import { buildApp } from '../../../src/app.js';
import { featureRouters } from '../../../src/features.js';
import type { SessionSecrets } from '../../../src/smart/sessions.js';
import { TestBrowser } from '../helpers/browser.js';
import type { TestPortal } from '../helpers/test-portal.js';
import { smartConfigCopy } from '../helpers/smart-config.js';

const run = promisify(execFile);

/** A desktop Chrome User-Agent, so the activity page has a device to show. */
export const DESKTOP_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** TestBrowser that sends a real browser's User-Agent on every request. */
export class DesktopBrowser extends TestBrowser {
  override request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', DESKTOP_UA);
    return super.request(url, { ...init, headers });
  }
}

/** The whole database as plain SQL (schema and every row), as an operator's backup would hold it. */
export async function dumpDatabase(url: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--no-owner', '--no-privileges', '--dbname', url], { maxBuffer: 512 * 1024 * 1024 });
  if (!stdout.includes('CREATE TABLE public.audit_entry')) throw new Error('pg_dump output does not look like this database');
  return stdout;
}

/** A small, valid-looking PDF whose bytes carry `marker` (the outbox sniffs the %PDF- signature). */
export function pdfWith(marker: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${marker}\n(${marker}) Tj\n%%EOF\n`, 'latin1'));
}

/** Every session's secrets that are still held (tokens, CSRF token), decrypted with the portal's keys. */
export async function heldSessionSecrets(portal: TestPortal): Promise<SessionSecrets[]> {
  const rows = (await portal.db.query('SELECT secrets FROM portal_session WHERE secrets IS NOT NULL')) as { secrets: string }[];
  return Promise.all(rows.map((r) => portal.services.cipher.decryptJson<SessionSecrets>(r.secrets)));
}

/** Waits until the outbox has `count` writes and every one is delivered; fails with their states otherwise. */
export async function waitAllDelivered(portal: TestPortal, count: number, timeoutMs = 45_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: { kind: string; status: string }[] = [];
  while (Date.now() < until) {
    last = (await portal.db.query('SELECT kind, status FROM outbox_item ORDER BY seq')) as { kind: string; status: string }[];
    if (last.length >= count && last.every((r) => r.status === 'delivered')) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`outbox not delivered in time: ${JSON.stringify(last)}`);
}

export interface RouteInfo {
  method: string;
  path: string;
  match(url: string): boolean;
}

type RouterMiddleware = Koa.Middleware & { router?: Router };

/**
 * Every route the app mounts, read from the routers' own tables: the app is composed exactly as
 * src/server.ts composes it (buildApp with the feature routers), then its middleware is walked.
 */
export function mountedRoutes(portal: TestPortal): RouteInfo[] {
  const app = buildApp(portal.services, { readiness: [], features: featureRouters(portal.sandbox) });
  const out: RouteInfo[] = [];
  for (const mw of app.middleware as RouterMiddleware[]) {
    const router = mw.router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        out.push({ method, path: String(layer.path), match: (url) => layer.match(new URL(url, 'http://x').pathname) });
      }
    }
  }
  if (out.length < 10) throw new Error(`only ${out.length} routes found: the router walk no longer sees the app's routers`);
  return out;
}

/** All `/api/...` links anywhere in a JSON value. */
export function apiLinks(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string' && value.startsWith('/api/')) into.add(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) apiLinks(v, into);
  return into;
}

/** A copy of smart-config/ whose sandbox registration names extra frame ancestors. */
export function smartConfigWithFrameAncestors(origins: string[]): string {
  return smartConfigCopy((text) => JSON.stringify({ ...(JSON.parse(text) as Record<string, unknown>), frameAncestors: origins }, null, 2));
}

/** A final lab report with a PDF presented form, so the report-form route has something to serve. */
export async function addReportWithForm(portal: TestPortal, patientId: string): Promise<string> {
  const repo = portal.sandbox!.repo;
  const issued = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const report = (await repo.createResource({
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '24323-8', display: 'Comprehensive metabolic panel' }], text: 'Comprehensive metabolic panel' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: issued,
    issued,
    presentedForm: [{ contentType: 'application/pdf', title: 'Report', data: Buffer.from(pdfWith('form')).toString('base64') }],
  } satisfies DiagnosticReport as never)) as DiagnosticReport;
  return report.id!;
}
