import type { AppServices } from '../services.js';
import type { Mailbox } from '../sandbox/types.js';
import { ConfigError } from '../config/config-error.js';
import { BackendAuth, BackendFhir, configuredBackendKey, type BackendKey } from './backend-client.js';
import { MailboxChannel, SmtpChannel, WebhookChannel, type ChannelSet } from './channels.js';
import { CHANGE_TYPES, Detector } from './detect.js';
import { notifySettings, type NotifySettings } from './settings.js';
import { NotifyStore } from './store.js';
import type { Channel } from './types.js';

export interface NotifyDeps {
  env: NodeJS.ProcessEnv;
  /** Backend Services keys generated at start for the built-in sandbox, by EHR id. */
  backendKeys?: Map<string, BackendKey>;
  /** The sandbox's development mailbox: email goes there when SMTP_URL is unset. */
  mailbox?: Mailbox;
}

/** Everything notifications need, built once at start (server.ts) and shared by routes and the worker. */
export class NotifyService {
  readonly detector: Detector;
  /** EHRs to wake for an immediate change pass (a rest-hook without a payload). */
  readonly wakeups = new Set<string>();
  private onWake: (() => void) | undefined;

  private constructor(
    readonly s: AppServices,
    readonly settings: NotifySettings,
    readonly store: NotifyStore,
    readonly backends: Map<string, BackendFhir>,
    readonly channels: ChannelSet,
  ) {
    this.detector = new Detector(s, store, settings, new Set(channels.keys()));
  }

  static async create(s: AppServices, deps: NotifyDeps): Promise<NotifyService> {
    const settings = notifySettings(s.config, deps.env);
    const backends = new Map<string, BackendFhir>();
    for (const reg of s.config.ehrs) {
      if (reg.changeDetection.mode === 'none') continue;
      const key = deps.backendKeys?.get(reg.id) ?? (await configuredBackendKey(reg, deps.env));
      if (!key) throw new ConfigError(`smart-config/${reg.id}.json: changeDetection.backend: mode "${reg.changeDetection.mode}" needs a Backend Services client (clientId and privateJwks)`);
      backends.set(reg.id, new BackendFhir(s, new BackendAuth(reg, key, s.discovery, s.clock)));
    }
    const channels: ChannelSet = new Map();
    if (s.config.env.SMTP_URL) channels.set('email', new SmtpChannel(s.config.env.SMTP_URL, settings.sendTimeoutMs));
    else if (deps.mailbox) channels.set('email', new MailboxChannel(deps.mailbox, s.clock));
    else s.logger.warn({ event: 'notify.no_email' }, 'SMTP_URL is not set: email notifications are off');
    if (settings.webhook) channels.set('sms-webhook', new WebhookChannel(settings.webhook.url, settings.webhook.secret, s.clock));
    const store = new NotifyStore(s.db, s.cipher);
    // Watching starts now, before the first request is served: what changes from here on is news.
    const now = s.clock();
    for (const ehrId of backends.keys()) {
      for (const type of CHANGE_TYPES) await store.initCursor(`changes:${ehrId}:${type}`, now.toISOString(), now);
      await store.initCursor(`actions:${ehrId}`, JSON.stringify({ at: now.toISOString(), id: '' }), now);
      await store.initCursor(`sessions:${ehrId}`, now.toISOString(), now);
    }
    return new NotifyService(s, settings, store, backends, channels);
  }

  get available(): ReadonlySet<Channel> {
    return new Set(this.channels.keys());
  }

  wake(ehrId: string): void {
    this.wakeups.add(ehrId);
    this.onWake?.();
  }

  /** The worker's hook to be woken early. */
  setWakeListener(fn: (() => void) | undefined): void {
    this.onWake = fn;
  }

  close(): void {
    for (const c of this.channels.values()) if (c instanceof SmtpChannel) c.close();
  }
}
