import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { envSchema, type Env } from './env.js';
import { registrationSchema, type EhrRegistration } from './registration.js';

export interface AppConfig {
  env: Env;
  production: boolean;
  port: number;
  publicUrl: string;
  /** Secure cookies and HSTS: the public URL is https, or not a loopback address. */
  secureTransport: boolean;
  sandbox: { enabled: boolean; seedDirs: string[] };
  smartConfigDir: string;
  /** The enabled registrations, in the order EHRS names them. */
  ehrs: EhrRegistration[];
  /** Every registration found, validated (enabled or not). */
  allRegistrations: EhrRegistration[];
  database: { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };
  session: { idleMs: number; maxMs: number };
}

/** Replaces `${NAME}` with the environment variable's value; an unset variable is a config error. */
function substitute(raw: string, vars: Record<string, string | undefined>, source: string): string {
  return raw.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new ConfigError(`${source}: uses \${${name}}, which is not set`);
    return value;
  });
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function loadRegistrationFile(path: string, vars: Record<string, string | undefined>): EhrRegistration {
  let json: unknown;
  try {
    json = JSON.parse(substitute(readFileSync(path, 'utf8'), vars, path));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = registrationSchema.safeParse(json);
  if (!parsed.success) throw ConfigError.fromZod(path, parsed.error);
  return parsed.data;
}

/**
 * Loads and validates the whole configuration once. Throws ConfigError (one line, naming the
 * file or variable, the key and what is wrong) so start-up stops before anything listens.
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsedEnv = envSchema.safeParse(rawEnv);
  if (!parsedEnv.success) throw ConfigError.fromZod('environment', parsedEnv.error);
  const env = parsedEnv.data;
  const production = env.NODE_ENV === 'production';
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const loopback = isLoopbackUrl(publicUrl);
  if (production && !publicUrl.startsWith('https://')) {
    throw new ConfigError('environment: PUBLIC_URL: must be an https:// URL when NODE_ENV=production');
  }
  // fhir-kit-client's debug output includes request headers, bearer token and all.
  if (production && /fhir-kit-client|(^|,)\*/.test(rawEnv.DEBUG ?? '')) {
    throw new ConfigError('environment: DEBUG: fhir-kit-client debug logging writes bearer tokens to the log; unset it when NODE_ENV=production');
  }
  const sandboxEnabled = (env.SANDBOX ?? (production ? 'off' : 'on')) === 'on';
  if (production && sandboxEnabled) throw new ConfigError('environment: SANDBOX: the sandbox EHR cannot run when NODE_ENV=production');
  if (env.DATABASE_URL) {
    try {
      new URL(env.DATABASE_URL);
    } catch {
      throw new ConfigError('environment: DATABASE_URL: not a valid URL');
    }
  }

  const smartConfigDir = resolve(env.SMART_CONFIG_DIR);
  if (!existsSync(smartConfigDir)) throw new ConfigError(`environment: SMART_CONFIG_DIR: folder ${smartConfigDir} does not exist`);
  const vars = { ...rawEnv, PUBLIC_URL: publicUrl };
  const files = readdirSync(smartConfigDir)
    .filter((f) => f.endsWith('.json') && f !== 'release-rules.json')
    .sort();
  const all = files.map((f) => loadRegistrationFile(join(smartConfigDir, f), vars));
  const seen = new Set<string>();
  for (const [i, r] of all.entries()) {
    if (seen.has(r.id)) throw new ConfigError(`${join(smartConfigDir, files[i]!)}: id: "${r.id}" is used by another registration`);
    seen.add(r.id);
  }

  const wanted = env.EHRS ? env.EHRS.split(',') : production ? [] : ['sandbox'];
  if (wanted.length === 0) throw new ConfigError('environment: EHRS: name at least one EHR registration (smart-config/<id>.json)');
  const ehrs = wanted.map((id) => {
    const r = all.find((x) => x.id === id);
    if (!r) throw new ConfigError(`environment: EHRS: no registration with id "${id}" in ${smartConfigDir}`);
    return r;
  });
  for (const r of ehrs) {
    const where = `${join(smartConfigDir, r.id)}.json`;
    if (r.builtinSandbox && !sandboxEnabled) throw new ConfigError(`${where}: builtinSandbox: the sandbox is off (SANDBOX=off) but EHRS enables it`);
    if (r.auth.type === 'none' && production) throw new ConfigError(`${where}: auth.type: "none" (open FHIR server) is refused when NODE_ENV=production`);
    if (r.auth.type === 'smart' && r.auth.clientAuth.method === 'sandbox_generated' && !r.builtinSandbox) {
      throw new ConfigError(`${where}: auth.clientAuth.method: "sandbox_generated" is only for the built-in sandbox`);
    }
    if (production && !r.fhirBaseUrl.startsWith('https://')) throw new ConfigError(`${where}: fhirBaseUrl: must be https:// when NODE_ENV=production`);
    if (!production && !r.fhirBaseUrl.startsWith('https://') && !isLoopbackUrl(r.fhirBaseUrl) && !r.builtinSandbox && r.auth.type !== 'none') {
      // Plain http is tolerated only for loopback EHRs (the development profile).
      throw new ConfigError(`${where}: fhirBaseUrl: plain http is only allowed for a loopback EHR`);
    }
    if (r.auth.type === 'smart' && r.auth.clientAuth.method.startsWith('client_secret')) {
      const ref = (r.auth.clientAuth as { secret: { env: string } }).secret.env;
      if (!rawEnv[ref]) throw new ConfigError(`${where}: auth.clientAuth.secret.env: environment variable ${ref} is not set`);
    }
  }

  return {
    env,
    production,
    port: env.PORT,
    publicUrl,
    secureTransport: publicUrl.startsWith('https://') || !loopback,
    sandbox: { enabled: sandboxEnabled, seedDirs: env.SANDBOX_SEED ? [resolve(env.SANDBOX_SEED)] : [] },
    smartConfigDir,
    ehrs,
    allRegistrations: all,
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'embedded', dataDir: resolve(env.DATA_DIR) },
    session: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, maxMs: env.SESSION_MAX_HOURS * 3_600_000 },
  };
}
