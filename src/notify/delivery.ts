import type { Patient, RelatedPerson } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import { backoffDelay } from '../outbox/schedule.js';
import type { BackendFhir } from './backend-client.js';
import type { ChannelSet } from './channels.js';
import { compose } from './compose.js';
import { contactFrom } from './contact.js';
import { nextSendAt } from './schedule.js';
import type { NotifySettings } from './settings.js';
import type { Batch, NotifyStore } from './store.js';
import { TOPIC_OF, type ContactDetails } from './types.js';

export type DeliveryOutcome = 'none' | 'busy' | 'deferred' | 'sent' | 'retry' | 'failed' | 'skipped';

/**
 * Claims one batch, sends it, marks it. At-least-once: a process that dies after the channel
 * accepted the message but before the "sent" mark leaves the batch to be claimed again when its
 * lease runs out, and it goes out again with the same Message-ID / Idempotency-Key (the batch id),
 * which the receiving side can drop as a duplicate. Nothing is lost: a batch is only settled by a
 * send the channel accepted, or by giving up after NOTIFY_MAX_ATTEMPTS.
 */
export class Delivery {
  constructor(
    private readonly s: AppServices,
    private readonly store: NotifyStore,
    private readonly settings: NotifySettings,
    private readonly channels: ChannelSet,
    private readonly backends: Map<string, BackendFhir>,
    private readonly owner: string,
  ) {}

  async deliverOne(signal: AbortSignal): Promise<DeliveryOutcome> {
    const now = this.s.clock();
    // The digest window: the clinic's registration may set its own, else the deployment's.
    const windowFor = (ehrId: string) => {
      const minutes = this.s.registration(ehrId).notifications.digestMinutes;
      return minutes === undefined ? this.settings.digestMs : minutes * 60_000;
    };
    const claimed = await this.store.claim(this.owner, now, this.settings.leaseMs, (last, ehrId) => nextSendAt(last, windowFor(ehrId), now));
    if (claimed.kind !== 'batch') return claimed.kind;
    const batch = claimed.batch;
    if (!batch.ids.length) return 'none';
    const channel = this.channels.get(batch.channel);
    if (!channel) return this.settle(batch, 'skipped', 'channel_unavailable');

    const target = await this.target(batch);
    if (target.kind === 'skip') return this.settle(batch, 'skipped', target.code);
    if (target.kind === 'wait') return this.retry(batch, target.code);

    const reg = this.s.registration(batch.ehrId);
    const { subject, text } = compose({
      kinds: batch.kinds,
      clinicName: reg.branding.clinicName,
      portalUrl: reg.notifications.portalUrl ?? this.s.config.publicUrl,
      ...(reg.branding.supportPhone ? { supportPhone: reg.branding.supportPhone } : {}),
      locale: target.contact.locale ?? 'en',
      channel: batch.channel,
    });
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.settings.sendTimeoutMs)]);
    try {
      await channel.send({ to: target.address, from: reg.notifications.fromAddress ?? `no-reply@${new URL(this.s.config.publicUrl).hostname}`, subject, text, locale: target.contact.locale ?? 'en', idempotencyKey: batch.batchId }, timeout);
    } catch (e) {
      // Shutting down mid-send: leave the claim as it is; the lease hands it to the next process.
      if (signal.aborted) throw e;
      return this.retry(batch, batch.channel === 'email' ? 'smtp_failed' : 'webhook_failed');
    }
    await this.store.markSent(batch, this.owner, this.s.clock());
    await this.record(batch, 'success', 'sent');
    return 'sent';
  }

  /** The address (the viewer's override, else the record, else the last copy of the record) and language. */
  private async target(batch: Batch): Promise<{ kind: 'send'; address: string; contact: ContactDetails } | { kind: 'skip'; code: string } | { kind: 'wait'; code: string }> {
    const { saved, contact: kept } = await this.store.preferences(batch.ehrId, batch.patientId, batch.recipient);
    const topics = batch.kinds.map((k) => TOPIC_OF[k]);
    // Choices changed after the event: the newest ones win (turning a channel off stops what is queued).
    if (saved?.channels?.[batch.channel]?.enabled === false || topics.every((t) => saved?.events?.[t] === false)) return { kind: 'skip', code: 'opted_out' };
    let contact: ContactDetails | undefined;
    const backend = this.backends.get(batch.ehrId);
    if (backend) {
      try {
        const fhir = backend.forPatient(batch.patientId);
        const person = batch.recipient.kind === 'patient' ? await fhir.read<Patient>('Patient', batch.patientId) : await fhir.read<RelatedPerson>('RelatedPerson', batch.recipient.id);
        contact = contactFrom(person, this.s.clock());
        await this.store.saveContact(batch.ehrId, batch.patientId, batch.recipient, contact, this.s.clock());
      } catch {
        contact = undefined;
      }
    }
    contact ??= kept;
    const override = saved?.channels?.[batch.channel]?.address;
    const address = override ?? (batch.channel === 'email' ? contact?.email : contact?.sms);
    if (address) return { kind: 'send', address, contact: contact ?? {} };
    // No record to look at yet (EHR unreachable, nothing kept): try again later rather than drop it.
    if (!contact) return { kind: 'wait', code: 'contact_unavailable' };
    return { kind: 'skip', code: 'no_address' };
  }

  private async retry(batch: Batch, code: string): Promise<DeliveryOutcome> {
    if (batch.attempts >= this.settings.maxAttempts) return this.settle(batch, 'failed', code);
    const at = new Date(this.s.clock().getTime() + Math.max(1000, backoffDelay(batch.attempts, this.settings.backoff)));
    await this.store.markFailed(batch, this.owner, code, at);
    this.s.metrics.notificationsSent.inc({ channel: batch.channel, outcome: 'retry' });
    this.s.logger.warn({ event: 'notify.retry', channel: batch.channel, code, attempts: batch.attempts }, 'notification not sent yet; will retry');
    return 'retry';
  }

  private async settle(batch: Batch, outcome: 'failed' | 'skipped', code: string): Promise<DeliveryOutcome> {
    if (outcome === 'failed') await this.store.markFailed(batch, this.owner, code, undefined);
    else await this.store.markSkipped(batch, this.owner, code);
    await this.record(batch, outcome === 'failed' ? 'failure' : 'success', outcome, code);
    return outcome;
  }

  /** Metric and audit row; neither carries content or the address. */
  private async record(batch: Batch, auditOutcome: 'success' | 'failure', outcome: string, code?: string): Promise<void> {
    this.s.metrics.notificationsSent.inc({ channel: batch.channel, outcome });
    await this.s.audit.record({
      actor: { kind: 'system', id: 'notify' },
      ehrId: batch.ehrId,
      patientId: batch.patientId,
      action: 'notify',
      outcome: auditOutcome,
      decision: [outcome, batch.channel, code].filter(Boolean).join(':'),
      details: { batch: batch.batchId, recipient: { kind: batch.recipient.kind, id: batch.recipient.id }, kinds: batch.kinds, count: batch.ids.length },
    });
    this.s.logger.info({ event: 'notify.delivery', channel: batch.channel, outcome, items: batch.ids.length }, 'notification delivery');
  }
}
