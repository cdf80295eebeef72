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
  /** Outbox worker: how often an idle worker looks for due writes. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  /** Outbox retries: exponential backoff with full jitter from this base … */
  OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
  /** … up to this cap. */
  OUTBOX_BACKOFF_CAP_MS: z.coerce.number().int().min(1).max(86_400_000).default(300_000),
  /** After this long undelivered, the patient is told to call the clinic if it is urgent. */
  OUTBOX_OVERDUE_MINUTES: z.coerce.number().min(0.01).max(7 * 24 * 60).default(15),
  /** Patient writes (messages, requests, uploads) allowed per session per minute. */
  WRITE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Launch and callback requests allowed per client address per minute (a clinic behind one NAT address is many patients). */
  LAUNCH_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  /** Generic signed webhook a clinic bridges to SMS (channel `sms-webhook`); needs NOTIFY_WEBHOOK_SECRET. */
  NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  /** HMAC-SHA256 key for the webhook signature. */
  NOTIFY_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** At most one notification per recipient and channel in this window; later events wait for the next send. */
  NOTIFY_DIGEST_MINUTES: z.coerce.number().min(0).max(24 * 60).default(15),
  /** Appointment reminder lead times in hours, comma-separated. */
  NOTIFY_APPOINTMENT_LEAD_HOURS: z.string().regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'comma-separated hours, e.g. 24,2').default('24'),
  /** Clinic defaults for viewers who saved no preferences: channels on when an address is known … */
  NOTIFY_DEFAULT_CHANNELS: z.string().regex(/^((email|sms-webhook)(,(email|sms-webhook))*)?$/, 'comma-separated: email, sms-webhook').default('email'),
  /** … and the events they hear about. */
  NOTIFY_DEFAULT_EVENTS: z
    .string()
    .regex(/^((messages|results|appointments|delivery-problems)(,(messages|results|appointments|delivery-problems))*)?$/, 'comma-separated: messages, results, appointments, delivery-problems')
    .default('messages,results,appointments,delivery-problems'),
  /** How often the notification worker looks for due deliveries and local triggers. */
  NOTIFY_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  /** A claimed batch stays locked this long; longer than NOTIFY_SEND_TIMEOUT_SECONDS, so a live send is never doubled. */
  NOTIFY_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(90),
  NOTIFY_SEND_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  NOTIFY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(5000),
  NOTIFY_BACKOFF_CAP_MS: z.coerce.number().int().min(1).max(86_400_000).default(3_600_000),
  /** Bearer token required to read /metrics (when unset, /metrics answers only on loopback). */
  METRICS_TOKEN: z.string().min(16).optional(),
});

export type Env = z.infer<typeof envSchema>;
