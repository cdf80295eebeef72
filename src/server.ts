import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from './config/load-config.js';
import { createLogger, type Logger } from './log.js';
import { openStore } from './store/data-source.js';
import { keyRingOptions, loadKeyRing } from './crypto/key-ring.js';
import { AuditLog } from './audit/audit-log.js';
import { createMetrics } from './http/metrics.js';
import { SmartDiscovery } from './smart/discovery.js';
import { SmartClient } from './smart/smart-client.js';
import { clientCredentials } from './smart/client-keys.js';
import { SessionStore } from './smart/sessions.js';
import { AuthRequests } from './smart/auth-requests.js';
import { TokenKeeper } from './smart/token-keeper.js';
import { randomToken } from './smart/hash.js';
import { buildApp } from './app.js';
import type { ReadinessCheck } from './http/health-routes.js';
import type { AppServices } from './services.js';
import { createSandbox } from './sandbox/index.js';
import type { Sandbox, SandboxClient } from './sandbox/types.js';
import type { DestinationStream } from 'pino';
import { featureRouters } from './features.js';
import type { EhrRegistration } from './config/registration.js';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readRulesFile, type RuleSet } from './policy/index.js';
import { PolicyState } from './policy-state/policy-state.js';
import { SeenMarks } from './portal/seen-marks.js';
import { Outbox } from './outbox/outbox.js';
import { startWorkers, type Workers } from './workers.js';
import { NotifyService } from './notify/notify-service.js';
import { sandboxBackendClient } from './notify/sandbox-backend.js';
import type { BackendKey } from './notify/backend-client.js';

export interface RunningPortal {
  url: string;
  config: AppConfig;
  services: AppServices;
  sandbox?: Sandbox;
  server: Server;
  db: DataSource;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Log destination (tests capture lines); default stdout. */
  logDestination?: DestinationStream;
  clock?: () => Date;
}

/**
 * Starts the portal: validate config → listen (so a port 0 becomes a real port before any URL is
 * derived from it) → open the store → keys → sandbox EHR → SMART clients → app → workers.
 */
export async function startPortal(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningPortal> {
  let config = loadConfig(env); // stops start-up on a bad file or variable before anything listens
  const rules = loadReleaseRules(config);
  const logger = createLogger({ level: config.env.LOG_LEVEL, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end('starting');
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.env.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (port !== config.port) config = loadConfig({ ...env, PORT: String(port) });

  let db: DataSource | undefined;
  let sandbox: Sandbox | undefined;
  let workers: Workers | undefined;
  try {
    const clock = options.clock ?? (() => new Date());
    db = await openStore(config.database);
    const { cipher } = await loadKeyRing(keyRingOptions(config, logger));
    const audit = new AuditLog(db, cipher, clock);
    const metrics = createMetrics({ processMetrics: true });
    const discovery = new SmartDiscovery();

    const generatedSecrets = new Map<string, string>();
    const backendKeys = new Map<string, BackendKey>();
    if (config.sandbox.enabled) {
      const clients: SandboxClient[] = [];
      for (const r of config.ehrs) {
        if (!r.builtinSandbox || r.auth.type !== 'smart') continue;
        clients.push(await sandboxClientFor(r.auth, r.id, env, config.publicUrl, generatedSecrets));
        if (r.changeDetection.mode === 'none') continue;
        // SMART Backend Services for change detection: an ES384 key made now, never written anywhere.
        const backend = await sandboxBackendClient(r);
        backendKeys.set(r.id, backend.key);
        clients.push(backend.client);
      }
      sandbox = await createSandbox({ publicUrl: config.publicUrl, appLaunchUrl: `${config.publicUrl}/launch`, clients, seedDirs: config.sandbox.seedDirs, logger, now: clock });
    }

    const smartClients = new Map<string, SmartClient>();
    const publicJwks = [];
    for (const r of config.ehrs) {
      if (r.auth.type !== 'smart') continue;
      const creds = await clientCredentials(r.id, r.auth, env, generatedSecrets.get(r.id));
      publicJwks.push(...creds.publicKeys);
      smartClients.set(r.id, new SmartClient(r, discovery, creds, `${config.publicUrl}/callback`));
    }
    const sessions = new SessionStore(db, cipher, config.session, clock);
    const services = {
      config,
      logger,
      db,
      clock,
      cipher,
      audit,
      metrics,
      discovery,
      smartClients,
      publicJwks,
      sessions,
      authRequests: new AuthRequests(db, cipher, clock),
      tokens: new TokenKeeper(sessions, (id) => smartClients.get(id), clock),
      cookies: { secure: config.secureTransport, sameSite: config.secureTransport && config.ehrs.some((r) => r.frameAncestors.length) ? 'None' : 'Lax' },
      registration: (id) => {
        const r = config.ehrs.find((e) => e.id === id);
        if (!r) throw new Error(`no enabled registration ${id}`);
        return r;
      },
      rules: (id: string) => rules.get(id)!,
      policyState: new PolicyState(db, cipher, clock),
      seen: new SeenMarks(db),
    } as Omit<AppServices, 'outbox' | 'notify'> as AppServices;
    services.outbox = new Outbox(services);
    services.notify = await NotifyService.create(services, { env, backendKeys, ...(sandbox ? { mailbox: sandbox.mailbox } : {}) });
    const ds = db;
    const readiness: ReadinessCheck[] = [
      { name: config.database.kind === 'postgres' ? 'postgres' : 'embedded-database', kind: 'database', check: async () => void (await ds.query('SELECT 1')) },
      ...config.ehrs.map((r) => ({
        name: r.id,
        kind: 'ehr' as const,
        check:
          r.auth.type === 'smart'
            ? async () => void (await discovery.get(r.name, r.fhirBaseUrl, { fresh: true }))
            : async () => {
                const res = await fetch(`${r.fhirBaseUrl.replace(/\/+$/, '')}/metadata`, { signal: AbortSignal.timeout(4000) });
                await res.body?.cancel();
                if (!res.ok) throw new Error(String(res.status));
              },
      })),
    ];
    const app = buildApp(services, { readiness, features: featureRouters(sandbox), devScriptHashes: config.production ? [] : accessibilityCheckerHashes(), ...(sandbox ? { sandbox: sandbox.middleware } : {}) });
    handler = app.callback();
    workers = config.env.WORKERS === 'on' ? startWorkers(services, sandbox) : undefined;
    logger.info({ url: config.publicUrl, database: config.database.kind, ehrs: config.ehrs.map((e) => e.id), sandbox: Boolean(sandbox) }, 'portal started');

    const closeDb = db;
    let closing: Promise<void> | undefined;
    return {
      url: config.publicUrl,
      config,
      services,
      ...(sandbox ? { sandbox } : {}),
      server,
      db,
      close: () => (closing ??= shutdown(server, logger, async () => {
        await workers?.stop();
        services.notify.close();
        await sandbox?.close();
        await closeDb.destroy();
      })),
    };
  } catch (e) {
    server.close();
    await workers?.stop().catch(() => {});
    await sandbox?.close().catch(() => {});
    await db?.destroy().catch(() => {});
    throw e;
  }
}

/**
 * The built-in sandbox registers the app the way its registration authenticates: a secret made
 * now (`sandbox_generated`), the configured secret, or the public half of the configured keys
 * (`private_key_jwt`), so every client-authentication path can be tried without an outside EHR.
 */
async function sandboxClientFor(auth: Extract<EhrRegistration['auth'], { type: 'smart' }>, ehrId: string, env: NodeJS.ProcessEnv, publicUrl: string, generated: Map<string, string>): Promise<SandboxClient> {
  const base = { clientId: auth.clientId, redirectUris: [`${publicUrl}/callback`], grantTypes: ['authorization_code', 'refresh_token'] as SandboxClient['grantTypes'] };
  const ca = auth.clientAuth;
  if (ca.method === 'sandbox_generated') {
    const secret = randomToken();
    generated.set(ehrId, secret);
    return { ...base, clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic' };
  }
  if (ca.method === 'private_key_jwt') {
    const { publicKeys } = await clientCredentials(ehrId, auth, env);
    return { ...base, jwks: { keys: publicKeys as JsonWebKey[] }, tokenEndpointAuthMethod: 'private_key_jwt' };
  }
  return { ...base, clientSecret: env[ca.secret.env]!, tokenEndpointAuthMethod: ca.method };
}

/**
 * axe-core (a development dependency) is injected into pages as an inline script by accessibility
 * checks. Allowing exactly that script's hash keeps script-src free of 'unsafe-inline'; production
 * installs have no axe-core and get no hash.
 */
function accessibilityCheckerHashes(): string[] {
  try {
    const path = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    return [`'sha256-${createHash('sha256').update(readFileSync(path)).digest('base64')}'`];
  } catch {
    return [];
  }
}

/** The deployment's release rules (smart-config/release-rules.json), with each EHR's override applied. */
function loadReleaseRules(config: AppConfig): Map<string, RuleSet> {
  const deployment = join(config.smartConfigDir, 'release-rules.json');
  const base = existsSync(deployment) ? deployment : undefined;
  const out = new Map<string, RuleSet>();
  for (const r of config.ehrs) {
    out.set(r.id, readRulesFile(base, r.releaseRules ? join(config.smartConfigDir, r.releaseRules) : undefined));
  }
  return out;
}

/** Stop accepting, let in-flight requests finish (up to 10 s), then release resources. */
async function shutdown(server: Server, logger: Logger, release: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), 10_000);
  await closed;
  clearTimeout(timer);
  await release();
  logger.info('portal stopped');
}
