import type { EhrRegistration } from '../config/registration.js';
import type { AppConfig } from '../config/load-config.js';
import { ConfigError } from '../config/config-error.js';
import type { ClinicDefaults } from './preferences.js';
import type { Channel, EventTopic } from './types.js';

export interface NotifySettings {
  defaults: ClinicDefaults;
  digestMs: number;
  leadsHours: number[];
  pollMs: number;
  leaseMs: number;
  sendTimeoutMs: number;
  maxAttempts: number;
  backoff: { baseMs: number; capMs: number };
  overdueMs: number;
  webhook?: { url: string; secret: string };
  /** Bearer secret of each EHR in subscription mode (rest-hook). */
  hookSecrets: Map<string, string>;
}

/** `NOTIFY_HOOK_SECRET_<EHR ID>`: the id upper-cased, dashes as underscores. */
export const hookSecretVariable = (ehrId: string) => `NOTIFY_HOOK_SECRET_${ehrId.toUpperCase().replace(/-/g, '_')}`;

const list = (raw: string) => raw.split(',').filter(Boolean);

/** Read once at start; a missing secret for a configured feature stops start-up (fail closed). */
export function notifySettings(config: AppConfig, rawEnv: NodeJS.ProcessEnv): NotifySettings {
  const e = config.env;
  if (Boolean(e.NOTIFY_WEBHOOK_URL) !== Boolean(e.NOTIFY_WEBHOOK_SECRET)) {
    throw new ConfigError('environment: NOTIFY_WEBHOOK_SECRET: NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET are set together or not at all');
  }
  if (e.NOTIFY_WEBHOOK_URL && config.production && !e.NOTIFY_WEBHOOK_URL.startsWith('https://')) {
    throw new ConfigError('environment: NOTIFY_WEBHOOK_URL: must be https:// when NODE_ENV=production');
  }
  if (e.NOTIFY_LEASE_SECONDS <= e.NOTIFY_SEND_TIMEOUT_SECONDS) {
    throw new ConfigError('environment: NOTIFY_LEASE_SECONDS: must be longer than NOTIFY_SEND_TIMEOUT_SECONDS (a send in progress must not be claimed again)');
  }
  const hookSecrets = new Map<string, string>();
  for (const r of config.ehrs.filter((x) => x.changeDetection.mode === 'subscription')) {
    const name = hookSecretVariable(r.id);
    const secret = rawEnv[name];
    if (!secret || secret.length < 32) throw new ConfigError(`smart-config/${r.id}.json: changeDetection.mode: "subscription" needs ${name} (at least 32 characters) for the rest-hook bearer secret`);
    hookSecrets.set(r.id, secret);
  }
  return {
    defaults: { channels: list(e.NOTIFY_DEFAULT_CHANNELS) as Channel[], events: list(e.NOTIFY_DEFAULT_EVENTS) as EventTopic[] },
    digestMs: e.NOTIFY_DIGEST_MINUTES * 60_000,
    leadsHours: list(e.NOTIFY_APPOINTMENT_LEAD_HOURS).map(Number),
    pollMs: e.NOTIFY_POLL_MS,
    leaseMs: e.NOTIFY_LEASE_SECONDS * 1000,
    sendTimeoutMs: e.NOTIFY_SEND_TIMEOUT_SECONDS * 1000,
    maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
    backoff: { baseMs: e.NOTIFY_BACKOFF_BASE_MS, capMs: e.NOTIFY_BACKOFF_CAP_MS },
    overdueMs: e.OUTBOX_OVERDUE_MINUTES * 60_000,
    ...(e.NOTIFY_WEBHOOK_URL && e.NOTIFY_WEBHOOK_SECRET ? { webhook: { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET } } : {}),
    hookSecrets,
  };
}

/** A clinic's notification defaults: its registration's, else the deployment's. */
export function clinicDefaults(settings: Pick<NotifySettings, 'defaults'>, reg: Pick<EhrRegistration, 'notifications'>): ClinicDefaults {
  return reg.notifications.defaults ?? settings.defaults;
}
