import type Koa from 'koa';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { z } from 'zod';
import { createInteractionHandler, isProxyOf } from './auth/interactions.js';
import { LaunchStore, type GrantContext } from './auth/launch-store.js';
import { createProvider, withConsentForOfflineAccess } from './auth/provider.js';
import { supportedScopes } from './auth/smart-scopes.js';
import { DEFAULT_FAULTS, FaultSettingsPatch, TIMEOUT_CAP_MS, decideFault } from './faults.js';
import { authUrls } from './fhir/capability.js';
import { sendOutcome, FhirError } from './fhir/outcome.js';
import { createFhirHandler } from './fhir/server.js';
import { readJson } from './http-util.js';
import { buildSeed } from './seed/index.js';
import { createMailbox } from './mailbox.js';
import { ensureMedplumIndexed } from './medplum-setup.js';
import { listPatients } from './patients.js';
import { loadBundle, loadSeedDir } from './seed-loader.js';
import { SMART_STYLE } from './smart-style.js';
import { StaffMessageInput, postStaffMessage, resolveClinician } from './staff-messages.js';
import type { FaultSettings, Sandbox, SandboxOptions } from './types.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

export type * from './types.js';
export { loadBundle } from './seed-loader.js';

const FHIR_ID_FIELD = z.string().regex(FHIR_ID, 'must be a FHIR id');
const LaunchQuery = z.object({
  patient: FHIR_ID_FIELD,
  user: FHIR_ID_FIELD.optional(),
  mfa: z.enum(['0', '1']).optional(),
  deny: z.union([z.string(), z.array(z.string())]).optional(),
});

function zodFields(error: z.ZodError): Record<string, string> {
  return Object.fromEntries(error.issues.map((i) => [i.path.join('.') || '(body)', i.message]));
}

function sendProblem(ctx: Koa.Context, status: number, error: string, fields?: Record<string, string>): void {
  ctx.status = status;
  ctx.body = { error, ...(fields ? { fields } : {}) };
}

export interface SandboxExtraOptions {
  /** Load src/sandbox/seed (default true); tests with their own fixtures turn it off. */
  projectSeed?: boolean;
  /** Uniform random source for fault rates (default Math.random). */
  random?: () => number;
  /** How injected latency waits (default a timer); tests record the delay instead of timing it. */
  sleep?: (ms: number) => Promise<void>;
}

export async function createSandbox(opts: SandboxOptions & SandboxExtraOptions): Promise<Sandbox> {
  ensureMedplumIndexed();
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const logger = opts.logger.child({ component: 'sandbox' });
  const origin = opts.publicUrl.replace(/\/+$/, '');
  const prefix = `${new URL(origin).pathname.replace(/\/+$/, '')}/sandbox`;
  const publicBase = `${new URL(origin).origin}${prefix}`;
  const fhirBase = `${publicBase}/fhir`;
  const authPath = `${prefix}/auth`;
  const interactionPath = `${authPath}/interaction`;
  const urls = authUrls(`${publicBase}/auth`);

  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const mailbox = createMailbox();
  const faults: FaultSettings = { ...DEFAULT_FAULTS, ...FaultSettingsPatch.parse(opts.faults ?? {}) };
  const launches = new LaunchStore(now);
  const grants = new Map<string, GrantContext>();
  const descriptions = new Map<string, string>();
  const seededFromDirs = new Set<string>();
  let defaultPractitioner: string | undefined;

  if (opts.projectSeed !== false) {
    const seed = buildSeed(now());
    for (const [i, b] of seed.bundles.entries()) await loadBundle(repo, b, `project seed bundle ${i}`);
    for (const p of seed.patients) descriptions.set(p.id, p.description);
    defaultPractitioner = seed.practitionerId;
  }
  for (const dir of opts.seedDirs ?? []) {
    const r = await loadSeedDir(repo, dir, (id) => seededFromDirs.add(id));
    logger.info({ event: 'sandbox.seed_loaded', files: r.files, resources: r.resources, ms: r.ms }, 'sandbox seed loaded');
  }

  const patients = () => listPatients(repo, descriptions, (id) => (seededFromDirs.has(id) ? 'Synthea patient' : 'Patient'));

  const provider = createProvider({
    issuer: urls.issuer,
    interactionPath,
    clients: opts.clients,
    faults,
    grants,
    smartStyleUrl: `${publicBase}/smart-style.json`,
  });
  const providerCallback = provider.callback();
  const interactions = createInteractionHandler({
    provider,
    launches,
    grants,
    repo,
    patients,
    knownScopes: new Set(supportedScopes()),
    fhirBase,
    logger,
  });
  const fhir = createFhirHandler({ repo, router, provider, now, fhirBase, urls, logger });

  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const wait = (ms: number, ctx?: Koa.Context) =>
    new Promise<void>((resolve) => {
      const item = {
        timer: setTimeout(() => {
          pending.delete(item);
          resolve();
        }, ms),
        resolve,
      };
      pending.add(item);
      ctx?.req.once('close', () => {
        clearTimeout(item.timer);
        pending.delete(item);
        resolve();
      });
    });

  /** Applies the fault settings; true when the request has been answered (or abandoned). */
  async function applyFaults(ctx: Koa.Context): Promise<boolean> {
    const d = decideFault(faults, random);
    if (d.kind === 'down' || d.kind === 'error') {
      ctx.set('Retry-After', '5');
      sendOutcome(ctx, 503, 'transient', 'The sandbox EHR is unavailable (injected fault).');
      return true;
    }
    if (d.kind === 'timeout') {
      await wait(TIMEOUT_CAP_MS, ctx);
      sendOutcome(ctx, 504, 'timeout', 'The sandbox EHR did not answer in time (injected fault).');
      return true;
    }
    if (d.delayMs > 0) await (opts.sleep ? opts.sleep(d.delayMs) : wait(d.delayMs, ctx));
    return false;
  }

  async function delegateToProvider(ctx: Koa.Context): Promise<void> {
    const original = ctx.req.url ?? '/';
    const req = ctx.req as typeof ctx.req & { originalUrl?: string };
    // Mounted like connect/express do it: the provider derives its mount path from originalUrl.
    req.url = withConsentForOfflineAccess(original.slice(authPath.length) || '/');
    req.originalUrl = `${authPath}${req.url}`;
    // A new authorization starts without the provider's browser session: each launch signs in its
    // own user, so a second launch in the same browser (another tab, another patient) cannot trip
    // over the first one's session.
    if (/^\/auth(\/[^/?]+)?(\?|$)/.test(req.url) && req.headers.cookie) {
      req.headers.cookie = req.headers.cookie
        .split(';')
        .filter((c) => !/^\s*_session(\.legacy)?(\.sig)?=/.test(c))
        .join(';');
    }
    ctx.respond = false;
    try {
      await providerCallback(ctx.req, ctx.res);
    } finally {
      req.url = original;
    }
  }

  async function launch(ctx: Koa.Context): Promise<void> {
    const q = LaunchQuery.safeParse(ctx.query);
    if (!q.success) return sendProblem(ctx, 400, 'invalid_launch', zodFields(q.error));
    const { patient, user, mfa, deny } = q.data;
    try {
      await repo.readResource('Patient', patient);
    } catch {
      return sendProblem(ctx, 404, 'unknown_patient');
    }
    // A user is a proxy of this patient (RelatedPerson) or a clinician opening the chart (Practitioner).
    const isClinician = async (id: string) => repo.readResource('Practitioner', id).then(() => true, () => false);
    if (user && !(await isProxyOf(repo, user, patient)) && !(await isClinician(user))) return sendProblem(ctx, 403, 'user_not_proxy_of_patient');
    const denied = (Array.isArray(deny) ? deny : deny ? [deny] : []).flatMap((d) => d.split(/[ ,]+/)).filter(Boolean);
    const code = launches.issue({ patient, ...(user ? { user } : {}), mfa: mfa !== '0', deny: denied });
    const target = new URL(opts.appLaunchUrl);
    target.searchParams.set('iss', fhirBase);
    target.searchParams.set('launch', code);
    ctx.redirect(target.href);
  }

  async function staffMessage(ctx: Koa.Context): Promise<void> {
    let body: unknown;
    try {
      body = await readJson(ctx, 64 * 1024);
    } catch {
      return sendProblem(ctx, 400, 'invalid_json');
    }
    const input = StaffMessageInput.safeParse(body);
    if (!input.success) return sendProblem(ctx, 400, 'invalid_body', zodFields(input.error));
    try {
      const practitionerId = await resolveClinician(repo, defaultPractitioner);
      const result = await postStaffMessage(repo, input.data, practitionerId, now());
      ctx.status = 201;
      ctx.body = result;
    } catch (err) {
      if (err instanceof FhirError) return sendProblem(ctx, err.status, err.status === 404 ? 'not_found' : 'invalid');
      throw err;
    }
  }

  async function faultsEndpoint(ctx: Koa.Context): Promise<void> {
    if (ctx.method === 'PUT') {
      let body: unknown;
      try {
        body = await readJson(ctx, 4 * 1024);
      } catch {
        return sendProblem(ctx, 400, 'invalid_json');
      }
      const patch = FaultSettingsPatch.safeParse(body ?? {});
      if (!patch.success) return sendProblem(ctx, 400, 'invalid_faults', zodFields(patch.error));
      Object.assign(faults, patch.data);
      logger.info({ event: 'sandbox.faults_changed', faults }, 'sandbox faults changed');
    }
    ctx.body = { ...faults };
  }

  const middleware: Koa.Middleware = async (ctx, next) => {
    const path = ctx.path;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return next();
    const sub = path.slice(prefix.length);
    if (sub === '/fhir' || sub.startsWith('/fhir/')) {
      if (await applyFaults(ctx)) return;
      return fhir(ctx, sub.slice('/fhir'.length) || '/');
    }
    if (sub.startsWith('/auth/interaction/')) return interactions(ctx, next);
    if (sub === '/auth' || sub.startsWith('/auth/')) {
      if (faults.down && sub === '/auth/token') {
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: 'temporarily_unavailable', error_description: 'injected fault' };
        return;
      }
      return delegateToProvider(ctx);
    }
    const route = `${ctx.method} ${sub}`;
    switch (route) {
      case 'GET /launch':
        return launch(ctx);
      case 'GET /patients.json':
        ctx.body = await patients();
        return;
      case 'POST /staff/messages':
        return staffMessage(ctx);
      case 'GET /mailbox.json':
        ctx.body = { items: mailbox.list() };
        return;
      case 'GET /faults':
      case 'PUT /faults':
        return faultsEndpoint(ctx);
      case 'GET /smart-style.json':
        ctx.set('Access-Control-Allow-Origin', '*');
        ctx.body = SMART_STYLE;
        return;
      default:
        ctx.status = 404;
        ctx.body = { error: 'not_found' };
    }
  };

  logger.info({ event: 'sandbox.ready', fhirBase }, 'sandbox EHR ready');
  return {
    middleware,
    patients,
    faults,
    repo,
    mailbox,
    async close() {
      for (const item of pending) {
        clearTimeout(item.timer);
        item.resolve();
      }
      pending.clear();
    },
  };
}
