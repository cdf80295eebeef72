import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { SavedPreferences } from './preferences.js';
import type { Channel, ContactDetails, EventKind, NewEvent, Recipient } from './types.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

/** A claimed group of notifications for one recipient on one channel: one send. */
export interface Batch {
  batchId: string;
  ehrId: string;
  patientId: string;
  recipient: Recipient;
  channel: Channel;
  kinds: EventKind[];
  ids: string[];
  attempts: number;
}

export type ClaimResult = { kind: 'none' } | { kind: 'busy' } | { kind: 'deferred' } | { kind: 'batch'; batch: Batch };

type Row = Record<string, unknown>;
const date = (v: unknown): Date | undefined => (v === null || v === undefined ? undefined : new Date(v as string));
/** TypeORM answers an UPDATE … RETURNING with [rows, affected]; an INSERT … RETURNING with rows. */
function returned(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return (Array.isArray(result) ? result : []) as Row[];
}
const prefId = (ehrId: string, patientId: string, r: Recipient) => `${ehrId}/${patientId}/${r.kind}/${r.id}`;

/**
 * The notification tables. Events are unique by idempotency key; their deliveries are claimed
 * with FOR UPDATE SKIP LOCKED plus a lease (locked_until), so any node may deliver and a node that
 * dies mid-send leaves its batch to be claimed again once the lease runs out.
 */
export class NotifyStore {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * Creates the event and one pending row per recipient and channel in one transaction; nothing
   * when the key exists already (exactly once, whichever node or pass saw it first).
   */
  async createEvent(ev: NewEvent, channels: Map<string, Channel[]>, now: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const id = randomUUID();
      const inserted = returned(await m.query(
        `INSERT INTO notification_event (id, idempotency_key, ehr_id, patient_id, kind, resource_ref, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [id, ev.key, ev.ehrId, ev.patientId, ev.kind, ev.resourceRef ?? null, now],
      ));
      if (!inserted.length) return false;
      for (const r of ev.recipients) {
        for (const c of channels.get(`${r.kind}:${r.id}`) ?? []) {
          await m.query(
            `INSERT INTO notification (id, event_id, ehr_id, patient_id, viewer_kind, viewer_id, channel, event_kind, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)`,
            [randomUUID(), id, ev.ehrId, ev.patientId, r.kind, r.id, c, ev.kind, now],
          );
        }
      }
      return true;
    });
  }

  async eventExists(key: string): Promise<boolean> {
    const rows = (await this.ds.query('SELECT 1 FROM notification_event WHERE idempotency_key = $1', [key])) as Row[];
    return rows.length > 0;
  }

  /**
   * Claims the next due batch. The recipient's advisory lock keeps two nodes from splitting one
   * recipient's rows into two sends; the digest rule defers a recipient heard from inside the window.
   * A batch left unfinished (lease ran out) is claimed again whole, with the same id.
   */
  async claim(owner: string, now: Date, leaseMs: number, digestAt: (lastSent: Date | undefined, ehrId: string) => Date): Promise<ClaimResult> {
    return this.ds.transaction(async (m) => {
      const due = (await m.query(
        `SELECT id, ehr_id, patient_id, viewer_kind, viewer_id, channel, batch_id FROM notification
          WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
          ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      )) as Row[];
      const head = due[0];
      if (!head) return { kind: 'none' } as const;
      const who = [head.ehr_id, head.patient_id, head.viewer_kind, head.viewer_id, head.channel] as string[];
      const lock = (await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`notify:${who.join('/')}`])) as Row[];
      if (!lock[0]?.ok) return { kind: 'busy' } as const;
      const until = new Date(now.getTime() + leaseMs);
      let batchId = head.batch_id as string | null;
      let rows: Row[];
      if (batchId) {
        rows = returned(await m.query(
          `UPDATE notification SET locked_until = $2, lock_owner = $3, attempts = attempts + 1
            WHERE batch_id = $1 AND status = 'pending' RETURNING id, event_kind, attempts`,
          [batchId, until, owner],
        ));
      } else {
        const last = (await m.query(
          `SELECT max(sent_at) AS last FROM notification
            WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = $3 AND viewer_id = $4 AND channel = $5 AND status = 'sent'`,
          who,
        )) as Row[];
        const at = digestAt(date(last[0]?.last), head.ehr_id as string);
        if (at.getTime() > now.getTime()) {
          await m.query(
            `UPDATE notification SET next_attempt_at = GREATEST(next_attempt_at, $6)
              WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = $3 AND viewer_id = $4 AND channel = $5 AND status = 'pending' AND batch_id IS NULL`,
            [...who, at],
          );
          return { kind: 'deferred' } as const;
        }
        batchId = randomUUID();
        // Every waiting row of this recipient goes in: later events in the window fold into this send.
        rows = returned(await m.query(
          `UPDATE notification SET batch_id = $6, locked_until = $7, lock_owner = $8, attempts = attempts + 1
            WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = $3 AND viewer_id = $4 AND channel = $5
              AND status = 'pending' AND batch_id IS NULL AND (locked_until IS NULL OR locked_until <= $9)
            RETURNING id, event_kind, attempts`,
          [...who, batchId, until, owner, now],
        ));
      }
      return {
        kind: 'batch',
        batch: {
          batchId,
          ehrId: who[0]!,
          patientId: who[1]!,
          recipient: { kind: who[2] as Recipient['kind'], id: who[3]! },
          channel: who[4] as Channel,
          kinds: rows.map((r) => r.event_kind as EventKind),
          ids: rows.map((r) => r.id as string),
          attempts: Math.max(0, ...rows.map((r) => Number(r.attempts))),
        },
      } as const;
    });
  }

  /** Marks a batch sent; only while this owner still holds it (a lease taken over is the other node's). */
  async markSent(batch: Batch, owner: string, now: Date): Promise<number> {
    const rows = returned(await this.ds.query(
      `UPDATE notification SET status = 'sent', sent_at = $3, locked_until = NULL, last_error = NULL
        WHERE batch_id = $1 AND lock_owner = $2 AND status = 'pending' RETURNING id`,
      [batch.batchId, owner, now],
    ));
    return rows.length;
  }

  /** A failed try: back off (same batch, same Message-ID next time), or give up for good. */
  async markFailed(batch: Batch, owner: string, code: string, retryAt: Date | undefined): Promise<void> {
    await this.ds.query(
      `UPDATE notification SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), locked_until = NULL, last_error = $5
        WHERE batch_id = $1 AND lock_owner = $2 AND status = 'pending'`,
      [batch.batchId, owner, retryAt ? 'pending' : 'failed', retryAt ?? null, code],
    );
  }

  /** Nothing to send it to (no address): settled, not retried. */
  async markSkipped(batch: Batch, owner: string, code: string): Promise<void> {
    await this.ds.query(
      `UPDATE notification SET status = 'skipped', locked_until = NULL, last_error = $3 WHERE batch_id = $1 AND lock_owner = $2 AND status = 'pending'`,
      [batch.batchId, owner, code],
    );
  }

  async preferences(ehrId: string, patientId: string, r: Recipient): Promise<{ saved?: SavedPreferences; contact?: ContactDetails & { at: string } }> {
    const rows = (await this.ds.query('SELECT prefs, contact FROM notification_preference WHERE id = $1', [prefId(ehrId, patientId, r)])) as Row[];
    const row = rows[0];
    if (!row) return {};
    return {
      ...(row.prefs ? { saved: await this.cipher.decryptJson<SavedPreferences>(row.prefs as string) } : {}),
      ...(row.contact ? { contact: await this.cipher.decryptJson<ContactDetails & { at: string }>(row.contact as string) } : {}),
    };
  }

  async savePreferences(ehrId: string, patientId: string, r: Recipient, prefs: SavedPreferences, now: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO notification_preference (id, ehr_id, patient_id, viewer_kind, viewer_id, prefs, contact, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
       ON CONFLICT (id) DO UPDATE SET prefs = EXCLUDED.prefs, updated_at = EXCLUDED.updated_at`,
      [prefId(ehrId, patientId, r), ehrId, patientId, r.kind, r.id, await this.cipher.encryptJson(prefs), now],
    );
  }

  /** Keeps the record's contact details for sends while the EHR cannot be reached. */
  async saveContact(ehrId: string, patientId: string, r: Recipient, contact: ContactDetails, now: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO notification_preference (id, ehr_id, patient_id, viewer_kind, viewer_id, prefs, contact, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)
       ON CONFLICT (id) DO UPDATE SET contact = EXCLUDED.contact, updated_at = EXCLUDED.updated_at`,
      [prefId(ehrId, patientId, r), ehrId, patientId, r.kind, r.id, await this.cipher.encryptJson({ ...contact, at: now.toISOString() }), now],
    );
  }

  /** Proxies who signed in through the portal at least once, or saved preferences. */
  async knownProxies(ehrId: string, patientId: string): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT viewer_id AS id FROM portal_session WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = 'proxy'
       UNION SELECT actor_id AS id FROM audit_entry WHERE ehr_id = $1 AND patient_id = $2 AND actor_kind = 'proxy' AND action = 'signin'
       UNION SELECT viewer_id AS id FROM notification_preference WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = 'proxy' AND prefs IS NOT NULL`,
      [ehrId, patientId],
    )) as Row[];
    return rows.map((r) => r.id as string).filter((id) => FHIR_ID.test(id)).sort();
  }

  async cursor(name: string): Promise<string | undefined> {
    const rows = (await this.ds.query('SELECT value FROM notification_cursor WHERE name = $1', [name])) as Row[];
    return rows[0]?.value as string | undefined;
  }

  /** Starts a cursor at `value` unless it exists (the moment this deployment began watching). */
  async initCursor(name: string, value: string, now: Date): Promise<void> {
    await this.ds.query('INSERT INTO notification_cursor (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, value, now]);
  }

  async setCursor(name: string, value: string, now: Date, m?: EntityManager): Promise<void> {
    await (m ?? this.ds).query(
      `INSERT INTO notification_cursor (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [name, value, now],
    );
  }

  async watch(ehrId: string, patientId: string, reportId: string, r: Recipient, releaseAt: Date | undefined, now: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO notification_watch (ehr_id, patient_id, report_id, viewer_kind, viewer_id, release_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (ehr_id, patient_id, report_id, viewer_kind, viewer_id) DO UPDATE SET release_at = EXCLUDED.release_at`,
      [ehrId, patientId, reportId, r.kind, r.id, releaseAt ?? null, now],
    );
  }

  async unwatch(ehrId: string, patientId: string, reportId: string, r: Recipient): Promise<void> {
    await this.ds.query('DELETE FROM notification_watch WHERE ehr_id = $1 AND patient_id = $2 AND report_id = $3 AND viewer_kind = $4 AND viewer_id = $5', [ehrId, patientId, reportId, r.kind, r.id]);
  }

  async watches(ehrId: string, patientId: string): Promise<{ reportId: string; recipient: Recipient }[]> {
    const rows = (await this.ds.query('SELECT report_id, viewer_kind, viewer_id FROM notification_watch WHERE ehr_id = $1 AND patient_id = $2', [ehrId, patientId])) as Row[];
    return rows.map((r) => ({ reportId: r.report_id as string, recipient: { kind: r.viewer_kind as Recipient['kind'], id: r.viewer_id as string } }));
  }

  /** Patients with a watched result whose release time has come. */
  async patientsWithDueWatches(ehrId: string, now: Date, limit = 20): Promise<string[]> {
    const rows = (await this.ds.query(
      'SELECT DISTINCT patient_id FROM notification_watch WHERE ehr_id = $1 AND release_at IS NOT NULL AND release_at <= $2 LIMIT $3',
      [ehrId, now, limit],
    )) as Row[];
    return rows.map((r) => r.patient_id as string);
  }

  /** Clinician actions after the cursor (at, id), oldest first. */
  async clinicianActionsAfter(ehrId: string, after: { at: string; id: string }, limit = 100): Promise<{ id: string; patientId: string; resourceRef: string; action: string; at: Date }[]> {
    const rows = (await this.ds.query(
      `SELECT id, patient_id, resource_ref, action, at FROM clinician_action
        WHERE ehr_id = $1 AND (at > $2 OR (at = $2 AND id > $3)) ORDER BY at, id LIMIT $4`,
      [ehrId, new Date(after.at), after.id, limit],
    )) as Row[];
    return rows.map((r) => ({ id: r.id as string, patientId: r.patient_id as string, resourceRef: r.resource_ref as string, action: r.action as string, at: date(r.at)! }));
  }

  /** Patient writes still undelivered after the threshold that have no event yet. */
  async overdueWrites(before: Date, limit = 50): Promise<{ id: string; ehrId: string; patientId: string; recipient: Recipient }[]> {
    const rows = (await this.ds.query(
      `SELECT o.id, o.ehr_id, o.patient_id, o.viewer_kind, o.viewer_id FROM outbox_item o
        WHERE o.status IN ('sending', 'retrying') AND o.created_at <= $1
          AND NOT EXISTS (SELECT 1 FROM notification_event e WHERE e.idempotency_key = 'write:' || o.id)
        ORDER BY o.created_at LIMIT $2`,
      [before, limit],
    )) as Row[];
    return rows.map((r) => ({ id: r.id as string, ehrId: r.ehr_id as string, patientId: r.patient_id as string, recipient: { kind: r.viewer_kind as Recipient['kind'], id: r.viewer_id as string } }));
  }

  /** Sessions started after the cursor: whose contact details to keep while the EHR answers. */
  async sessionsAfter(ehrId: string, after: Date, limit = 50): Promise<{ patientId: string; recipient: Recipient; createdAt: Date }[]> {
    const rows = (await this.ds.query(
      `SELECT patient_id, viewer_kind, viewer_id, created_at FROM portal_session
        WHERE ehr_id = $1 AND created_at > $2 AND viewer_kind IN ('patient', 'proxy') ORDER BY created_at LIMIT $3`,
      [ehrId, after, limit],
    )) as Row[];
    return rows.map((r) => ({ patientId: r.patient_id as string, recipient: { kind: r.viewer_kind as Recipient['kind'], id: r.viewer_id as string }, createdAt: date(r.created_at)! }));
  }
}
