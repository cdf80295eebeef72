import { randomUUID } from 'node:crypto';
import type { AppServices } from '../services.js';
import { EhrError } from '../fhir/fhir-errors.js';
import { fhirForSession } from '../fhir/for-session.js';
import { OutboxItemEntity, type OutboxItemRow } from '../store/entities/outbox-item.js';
import { deliveryCredentials } from './credentials.js';
import { deliver, DeliveryDeferred, DeliveryRefused, type Delivered } from './deliver.js';
import { backoffDelay, type BackoffSettings } from './schedule.js';
import { LOCAL_THREAD_PREFIX, type Author, type DeliveryResult, type Payload } from './types.js';
import { withoutFileBytes } from './retention.js';

export interface WorkerOptions {
  pollMs: number;
  backoff: BackoffSettings;
  /** Items claimed (and delivered in parallel) per round. */
  batch?: number;
  random?: () => number;
}

export function workerOptionsFrom(s: AppServices): WorkerOptions {
  const e = s.config.env;
  return { pollMs: e.OUTBOX_POLL_MS, backoff: { baseMs: e.OUTBOX_BACKOFF_BASE_MS, capMs: Math.max(e.OUTBOX_BACKOFF_CAP_MS, e.OUTBOX_BACKOFF_BASE_MS) } };
}

/** Waiting items and how many per status, for the gauges. */
const DEPTH_SQL = `SELECT status, count(*)::int AS n, min(created_at) FILTER (WHERE status IN ('sending', 'retrying')) AS oldest FROM outbox_item GROUP BY status`;

/**
 * Claims due items: not delivered, not leased (or the lease ran out: its node died), due now —
 * or waiting for a sign-in that has since appeared — and not held back by an earlier unsettled
 * item of the same thread (the rule in schedule.ts `heldBack`). FOR UPDATE SKIP LOCKED lets
 * every node claim at once without two taking the same row; the lease commits with the claim, so
 * delivery happens outside any transaction.
 */
const CLAIM_SQL = `
UPDATE outbox_item o
   SET locked_until = $2, lock_owner = $3, attempts = o.attempts + 1
 WHERE o.id IN (
   SELECT c.id FROM outbox_item c
    WHERE c.status IN ('sending', 'retrying')
      AND (c.locked_until IS NULL OR c.locked_until < $1)
      AND (c.next_attempt_at <= $1
           OR (c.reason_code = 'waiting_for_signin' AND EXISTS (
                SELECT 1 FROM portal_session s
                 WHERE s.ehr_id = c.ehr_id AND s.patient_id = c.patient_id AND s.viewer_kind = c.viewer_kind
                   AND s.viewer_id = c.viewer_id AND s.ended_at IS NULL AND s.expires_at > $1 AND s.created_at > c.updated_at)))
      AND (c.thread_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox_item p
                 WHERE p.thread_key = c.thread_key AND p.seq < c.seq AND p.status IN ('sending', 'retrying')))
    ORDER BY c.seq
    LIMIT $4
    FOR UPDATE SKIP LOCKED)
RETURNING o.id`;

type Outcome =
  | { kind: 'delivered'; d: Delivered; payload: Payload }
  | { kind: 'rejected'; code: string; reason: string }
  | { kind: 'retry'; code: string; soon?: boolean }
  | { kind: 'wait_for_signin' }
  | { kind: 'lost_lease' };

class LostLease extends Error {}

const WAITING_RECHECK_MS = 10 * 60_000;

/** Delivers outbox items to the EHR. One per node; any number of nodes share the table. */
export class OutboxWorker {
  private readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A write was stored on this node since the round began: look again before sleeping. */
  private nudged = false;
  private stopListening: (() => void) | undefined;
  private lastGauges = 0;

  constructor(
    private readonly s: AppServices,
    private readonly o: WorkerOptions = workerOptionsFrom(s),
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // A patient's write goes out at once, not at the next poll; other nodes still find it by polling.
    this.stopListening = this.s.outbox.onStored(() => {
      this.nudged = true;
      this.wake?.();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.wake?.();
    await this.loop;
  }

  /** One round: claim what is due and deliver it. Returns how many items were claimed. */
  async runOnce(): Promise<number> {
    const now = this.s.clock();
    const rows = (await this.s.db.query(CLAIM_SQL, [now, new Date(now.getTime() + this.leaseMs()), this.owner, this.o.batch ?? 8])) as unknown;
    const ids = claimedIds(rows);
    if (ids.length === 0) return 0;
    const items = await this.s.db.getRepository(OutboxItemEntity).createQueryBuilder('o').where('o.id IN (:...ids)', { ids }).getMany();
    await Promise.all(items.map((item) => this.process(item)));
    return ids.length;
  }

  /** Updates outbox_depth and outbox_oldest_age_seconds. */
  async updateGauges(): Promise<void> {
    const rows = (await this.s.db.query(DEPTH_SQL)) as { status: string; n: number; oldest: Date | string | null }[];
    let oldest: number | undefined;
    for (const status of ['sending', 'retrying', 'delivered', 'rejected']) {
      const r = rows.find((x) => x.status === status);
      this.s.metrics.outboxDepth.set({ status }, r ? Number(r.n) : 0);
      if (r?.oldest) oldest = Math.min(oldest ?? Infinity, new Date(r.oldest).getTime());
    }
    this.s.metrics.outboxOldestAgeSeconds.set(oldest === undefined ? 0 : Math.max(0, (this.s.clock().getTime() - oldest) / 1000));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      this.nudged = false;
      try {
        claimed = await this.runOnce();
        if (Date.now() - this.lastGauges > 5000) {
          this.lastGauges = Date.now();
          await this.updateGauges();
        }
      } catch (e) {
        this.s.logger.warn({ err: { type: (e as Error).name, code: (e as { code?: string }).code } }, 'outbox round failed');
      }
      if (claimed === 0 && this.running && !this.nudged) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.o.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** Longer than the slowest delivery (a few requests, each bounded by the EHR timeout). */
  private leaseMs(): number {
    const slowest = Math.max(...this.s.config.ehrs.map((r) => r.fhirTimeoutMs));
    return Math.max(10_000, slowest * 6 + 5_000);
  }

  private async process(item: OutboxItemRow): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.attempt(item);
    } catch (e) {
      outcome = this.classify(e);
    }
    try {
      await this.settle(item, outcome);
    } catch (e) {
      this.s.logger.error({ item: item.id, err: { type: (e as Error).name } }, 'outbox item could not be settled; its lease will expire and it is retried');
    }
  }

  private async attempt(item: OutboxItemRow): Promise<Outcome> {
    const session = await deliveryCredentials(this.s, item);
    if (!session) return { kind: 'wait_for_signin' };
    const registration = this.s.registration(item.ehrId);
    const payload = await this.s.cipher.decryptJson<Payload>(item.payload);
    const author: Author = item.viewerKind === 'proxy' ? { kind: 'proxy', reference: `RelatedPerson/${item.viewerId}` } : { kind: 'patient', reference: `Patient/${item.patientId}` };
    const repo = this.s.db.getRepository(OutboxItemEntity);
    const d = await deliver({
      ctx: {
        itemId: item.id,
        patientId: item.patientId,
        author,
        enqueuedAt: new Date(item.createdAt).toISOString(),
        ...(registration.messaging.recipient ? { recipient: registration.messaging.recipient } : {}),
      },
      payload,
      result: { ...(item.result as DeliveryResult) },
      registration,
      fhir: fhirForSession(this.s, session),
      extra: { baseUrl: registration.fhirBaseUrl, ehrName: registration.name, token: () => this.s.tokens.accessToken(session), timeoutMs: registration.fhirTimeoutMs },
      save: async (result) => {
        const now = this.s.clock();
        const r = await repo
          .createQueryBuilder()
          .update()
          .set({ result: result as OutboxItemRow['result'], lockedUntil: new Date(now.getTime() + this.leaseMs()), updatedAt: now })
          .where('id = :id AND lock_owner = :owner', { id: item.id, owner: this.owner })
          .execute();
        if (!r.affected) throw new LostLease();
      },
      ...(item.kind === 'reply' && item.threadKey?.startsWith(LOCAL_THREAD_PREFIX)
        ? {
            localThread: async () => {
              const origin = await repo.findOneBy({ id: item.threadKey!.slice(LOCAL_THREAD_PREFIX.length), ehrId: item.ehrId, patientId: item.patientId });
              return origin ? { rejected: origin.status === 'rejected', ...(origin.ehrThreadId ? { ehrThreadId: origin.ehrThreadId } : {}) } : undefined;
            },
          }
        : {}),
      ...(item.kind === 'cancel' && item.threadKey?.startsWith('appointment-')
        ? {
            localRequest: async () => {
              const origin = await repo.findOneBy({ id: item.threadKey!.slice('appointment-'.length), ehrId: item.ehrId, patientId: item.patientId });
              if (!origin) return undefined;
              const res = origin.result as DeliveryResult;
              return { rejected: origin.status === 'rejected', ...(res.resourceType ? { resourceType: res.resourceType } : {}), ...(origin.status === 'delivered' && res.resourceId ? { resourceId: res.resourceId } : {}) };
            },
          }
        : {}),
    });
    return { kind: 'delivered', d, payload };
  }

  private classify(e: unknown): Outcome {
    if (e instanceof LostLease) return { kind: 'lost_lease' };
    if (e instanceof DeliveryRefused) return { kind: 'rejected', code: e.code, reason: e.reason };
    if (e instanceof DeliveryDeferred) return { kind: 'retry', code: e.code, soon: true };
    if ((e as Error)?.name === 'SignInEnded') return { kind: 'wait_for_signin' };
    if (e instanceof EhrError) {
      switch (e.kind) {
        case 'unavailable':
          return { kind: 'retry', code: 'ehr_unavailable' };
        case 'unauthorized':
          // The sign-in was not renewable; the next attempt looks for another active session.
          return { kind: 'retry', code: 'ehr_unauthorized', soon: true };
        case 'conflict':
          return { kind: 'retry', code: 'ehr_conflict' };
        case 'forbidden':
        case 'rejected':
        case 'not_found':
          return { kind: 'rejected', code: e.code, reason: e.ehrReason ?? e.message };
      }
    }
    this.s.logger.warn({ err: { type: (e as Error)?.name, code: (e as { code?: string })?.code } }, 'outbox delivery failed unexpectedly; will retry');
    return { kind: 'retry', code: 'delivery_error' };
  }

  private async settle(item: OutboxItemRow, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'lost_lease') return;
    const now = this.s.clock();
    const repo = this.s.db.getRepository(OutboxItemEntity);
    const mine = { id: item.id, lockOwner: this.owner };
    const release = { lockedUntil: null, lockOwner: null, updatedAt: now };
    if (outcome.kind === 'retry' || outcome.kind === 'wait_for_signin') {
      const waiting = outcome.kind === 'wait_for_signin';
      // A waiting item is woken by the claim query when a sign-in appears; the timer is only a safety net.
      const delay = waiting ? Math.max(this.o.backoff.capMs, WAITING_RECHECK_MS) : backoffDelay(outcome.soon ? 1 : item.attempts, this.o.backoff, this.o.random);
      await repo.update(mine, { ...release, status: 'retrying', reasonCode: waiting ? 'waiting_for_signin' : outcome.code, nextAttemptAt: new Date(now.getTime() + delay) });
      return;
    }
    const delivered = outcome.kind === 'delivered';
    const reason = delivered ? null : await this.s.cipher.encrypt(outcome.reason);
    const kept = delivered ? withoutFileBytes(outcome.payload) : undefined;
    const sealed = kept ? await this.s.cipher.encryptJson(kept) : undefined;
    await this.s.db.transaction(async (m) => {
      const r = await m.getRepository(OutboxItemEntity).update(
        mine,
        delivered
          ? { ...release, status: 'delivered', result: outcome.d.result as OutboxItemRow['result'], ehrThreadId: outcome.d.ehrThreadId ?? null, deliveredAt: now, reasonCode: null, ...(sealed ? { payload: sealed } : {}) }
          : { ...release, status: 'rejected', reasonCode: outcome.code, reason },
      );
      if (!r.affected) return; // the lease ran out and another node owns the item now
      await this.s.audit.record(
        {
          actor: { kind: 'system', id: 'outbox-worker' },
          ehrId: item.ehrId,
          patientId: item.patientId,
          action: 'write',
          resourceType: delivered ? outcome.d.resourceType : resourceTypeOf(item.kind),
          resourceId: delivered ? outcome.d.resourceId : item.id,
          outcome: delivered ? 'success' : 'failure',
          decision: delivered ? `outbox:${item.kind}:delivered` : `outbox:${item.kind}:rejected:${outcome.code}`,
        },
        m,
      );
    });
    if (delivered) await this.ehrIsBack(item.ehrId, now);
  }

  /**
   * A delivery to this EHR just worked, so it is back: writes waiting out a long backoff because it
   * was unavailable are due now, not minutes from now (the retry delay grows with each failure).
   */
  private async ehrIsBack(ehrId: string, now: Date): Promise<void> {
    await this.s.db.query(
      `UPDATE outbox_item SET next_attempt_at = $2 WHERE ehr_id = $1 AND status = 'retrying' AND reason_code = 'ehr_unavailable' AND next_attempt_at > $2`,
      [ehrId, now],
    );
  }
}

function resourceTypeOf(kind: string): string {
  return kind === 'upload' ? 'DocumentReference' : kind === 'appointment-request' || kind === 'cancel' ? 'Appointment' : 'Communication';
}

/** node-postgres answers UPDATE … RETURNING as [rows, count]; PGlite as rows. */
function claimedIds(result: unknown): string[] {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[]) : Array.isArray(result) ? result : [];
  return rows.map((r) => (r as { id: string }).id).filter((id): id is string => typeof id === 'string');
}
