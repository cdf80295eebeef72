import { z } from 'zod';

/** Environment variables, validated once at start. Every one has a safe default or none. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The origin browsers use to reach the app; redirect URIs and the sandbox's iss derive from it. */
  PUBLIC_URL: z.string().url().optional(),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().default('./data'),
  SMART_CONFIG_DIR: z.string().default('./smart-config'),
  /** Comma-separated registration ids to enable; default: `sandbox` outside production. */
  EHRS: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'comma-separated registration ids').optional(),
  /** Run the built-in sandbox EHR in this process (default: on outside production). */
  SANDBOX: z.enum(['on', 'off']).optional(),
  /** Folder of extra FHIR transaction bundles (e.g. Synthea) loaded into the sandbox. */
  SANDBOX_SEED: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  SESSION_MAX_HOURS: z.coerce.number().min(0.1).max(72).default(12),
  /** JWKS (JSON) of the at-rest encryption keys, or a path to a file holding it. */
  ENCRYPTION_KEYS: z.string().optional(),
  ENCRYPTION_KEYS_FILE: z.string().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  /** Trust X-Forwarded-* from a reverse proxy (needed behind a TLS-terminating load balancer). */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Run the outbox / notification workers in this process. */
  WORKERS: z.enum(['on', 'off']).default('on'),
  /** Patient writes (messages, requests, uploads) allowed per session per minute. */
  WRITE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Launch and callback requests allowed per client address per minute. */
  LAUNCH_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Bearer token required to read /metrics (when unset, /metrics answers only on loopback). */
  METRICS_TOKEN: z.string().min(16).optional(),
});

export type Env = z.infer<typeof envSchema>;
