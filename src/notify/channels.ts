import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Mailbox } from '../sandbox/types.js';
import type { Channel, NotificationChannel, OutgoingMessage } from './types.js';
import { signWebhook } from './webhook-signature.js';

/** Races a send against the worker's abort (shutdown) and the send timeout. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error('send failed'));
      },
    );
  });
}

/** SMTP_URL → transport options: smtps:// is implicit TLS; `?requireTLS=true` / `?ignoreTLS=true` as nodemailer reads them. */
export function smtpOptions(url: string): SMTPTransport.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const flag = (name: string) => (u.searchParams.has(name) ? u.searchParams.get(name) === 'true' : undefined);
  const requireTLS = flag('requireTLS');
  const ignoreTLS = flag('ignoreTLS');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    ...(requireTLS !== undefined ? { requireTLS } : {}),
    ...(ignoreTLS !== undefined ? { ignoreTLS } : {}),
  };
}

/**
 * Email over SMTP (nodemailer). The batch id becomes the Message-ID, so a resend after a crash
 * between "sent" and "marked sent" carries the same id and mail systems can drop the copy.
 */
export class SmtpChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(url: string, timeoutMs: number) {
    this.transport = createTransport({ ...smtpOptions(url), connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  }

  async send(m: OutgoingMessage, signal: AbortSignal): Promise<void> {
    await abortable(
      this.transport.sendMail({
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: `<${m.idempotencyKey}@fhir-portal-adapter>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'Content-Language': m.locale },
      }),
      signal,
    );
  }

  close(): void {
    this.transport.close();
  }
}

/** Development without SMTP_URL: mail goes to the sandbox mailbox (GET /sandbox/mailbox.json). */
export class MailboxChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private readonly seen = new Set<string>();

  constructor(
    private readonly mailbox: Mailbox,
    private readonly clock: () => Date,
  ) {}

  async send(m: OutgoingMessage): Promise<void> {
    // Like a mail system that drops a second copy with a Message-ID it has seen.
    if (this.seen.has(m.idempotencyKey)) return;
    this.seen.add(m.idempotencyKey);
    this.mailbox.add({ to: m.to, from: m.from, subject: m.subject, text: m.text, at: this.clock().toISOString() });
  }
}

/**
 * A generic signed webhook a clinic bridges to SMS: JSON body, HMAC-SHA256 over
 * `<timestamp>.<body>`, and an Idempotency-Key the receiver dedupes on.
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'sms-webhook' as const;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly clock: () => Date,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(m: OutgoingMessage, signal: AbortSignal): Promise<void> {
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    const body = JSON.stringify({ id: m.idempotencyKey, to: m.to, text: m.text, locale: m.locale });
    const res = await this.fetchImpl(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': m.idempotencyKey,
        'x-notify-timestamp': String(timestamp),
        'x-notify-signature': signWebhook(this.secret, timestamp, body),
      },
      body,
      redirect: 'error',
      // The caller's signal carries the send timeout (Delivery) and shutdown.
      signal,
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}

export type ChannelSet = Map<Channel, NotificationChannel>;
