import { randomBytes } from 'node:crypto';
import type { AuditEvent } from 'fhir/r4.js';
import { Between, In, LessThan, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { AppError } from '../http/errors.js';
import { AuditEntryEntity, type AuditEntryRow } from '../store/entities/audit-entry.js';
import { toAuditEvent } from './audit-event.js';
import { auditInputSchema, type ActivityItem, type AuditInput, type AuditRecord } from './audit-record.js';
import { digestDetails, entryHash, GENESIS_HASH, type ChainFields } from './chain.js';
import { deviceSummary } from './device-summary.js';
import { runStatement, statement } from '../store/statement.js';

/** Rows per INSERT: 17 parameters a row, well under PostgreSQL's 65,535. */
const MAX_ROWS_PER_STATEMENT = 1000;

const COLUMNS = ['seq', 'at', 'actor_kind', 'actor_id', 'ehr_id', 'patient_id', 'action', 'resource_type', 'resource_id', 'outcome', 'decision', 'ip', 'user_agent', 'request_id', 'details', 'prev_hash', 'hash'];
const CASTS = ['bigint', 'timestamptz', ...COLUMNS.slice(2).map(() => 'text')];

/** `($1::bigint, $2::timestamptz, …), (…)` for `n` rows, numbering from `offset + 1`. */
function valuesList(n: number, offset = 0): string {
  const rows: string[] = [];
  for (let r = 0; r < n; r++) rows.push(`(${CASTS.map((c, i) => `$${offset + r * CASTS.length + i + 1}::${c}`).join(', ')})`);
  return rows.join(', ');
}

function rowParams(r: AuditEntryRow): unknown[] {
  return [r.seq, r.at.toISOString(), r.actorKind, r.actorId, r.ehrId, r.patientId, r.action, r.resourceType, r.resourceId, r.outcome, r.decision, r.ip, r.userAgent, r.requestId, r.details, r.prevHash, r.hash];
}

/** appendOptimistic's statement for `n` rows. */
function appendSql(n: number): string {
  return `WITH moved AS (UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING id)
    INSERT INTO audit_entry (${COLUMNS.join(', ')}) SELECT * FROM (VALUES ${valuesList(n, 4)}) AS v WHERE EXISTS (SELECT 1 FROM moved)
    RETURNING seq`;
}

/** Appends of up to this many rows (nearly every request's) run as prepared statements; larger group commits as plain SQL. */
const APPEND_STATEMENTS = Array.from({ length: 4 }, (_, i) => statement(`audit_append_${i + 1}`, appendSql(i + 1)));

const headMissing = () => new AppError(500, 'audit_head_missing', 'audit_head has no row; run the migrations', { expose: false });

interface Head {
  seq: number;
  hash: string;
}

/**
 * What patients see by default. Hold/release entries stay out: they would reveal that a
 * sensitive result exists before a clinician has released it (and to proxies at all).
 */
export const ACTIVITY_ACTIONS = ['signin', 'signin_failed', 'signout', 'read', 'write', 'export', 'notify', 'release_preferences'] as const;

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The newest entry's hash, for anchoring outside the database. */
  headHash?: string;
  problem?: { seq: number; kind: 'altered' | 'missing' | 'reordered'; detail: string };
}

/** The encrypted part of an entry. `n` is a random nonce: see digestDetails in chain.ts. */
interface SealedDetails {
  n: string;
  actorName?: string;
  details?: Record<string, unknown>;
}

type Prepared = Omit<AuditEntryRow, 'seq' | 'at' | 'prevHash' | 'hash'> & { detailsDigest: string | null };

function invalid(error: { issues: { path: PropertyKey[]; message: string }[] }, index: number): AppError {
  const fields = Object.fromEntries(error.issues.map((i) => [i.path.map(String).join('.') || '(root)', i.message]));
  return new AppError(500, 'audit_invalid', `audit entry ${index}: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ')}`, {
    expose: false,
    fields,
  });
}

function fieldsOf(row: AuditEntryRow, detailsDigest: string | null): ChainFields {
  return { ...row, seq: Number(row.seq), detailsDigest };
}

interface Waiting {
  rows: Prepared[];
  done: (e?: unknown) => void;
}

/** The append-only, hash-chained audit trail. */
/** Which of a patient's entries to read: newest first, up to `limit`, older than `before`. */
export interface RecordFilter {
  limit?: number;
  before?: number;
  actions?: readonly string[];
  /** Only what this actor did (a proxy's own activity). */
  actor?: { kind: AuditEntryRow['actorKind']; id: string };
}

export class AuditLog {
  /** Entries waiting for the next group commit, and whether one is running. */
  private queue: Waiting[] = [];
  private flushing = false;
  /** The chain head as this process last wrote it; null until read, and whenever in doubt. */
  private head: Head | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Appends entries in order. With `manager`, inside the caller's transaction (the entry commits
   * or rolls back with the write it describes); the chain lock is then held until that commits.
   */
  async record(entry: AuditInput | AuditInput[], manager?: EntityManager): Promise<void> {
    const inputs = (Array.isArray(entry) ? entry : [entry]).map((e, i) => {
      const parsed = auditInputSchema.safeParse(e);
      if (!parsed.success) throw invalid(parsed.error, i);
      return parsed.data;
    });
    if (inputs.length === 0) return;

    // Encrypt before taking the lock, so the lock covers only the head read and the inserts.
    const prepared: Prepared[] = await Promise.all(
      inputs.map(async (i) => {
        let details: string | null = null;
        let detailsDigest: string | null = null;
        if (i.actor.name !== undefined || i.details !== undefined) {
          const sealed: SealedDetails = { n: randomBytes(16).toString('base64url'), actorName: i.actor.name, details: i.details };
          const plain = JSON.stringify(sealed);
          details = await this.cipher.encrypt(plain);
          detailsDigest = digestDetails(plain);
        }
        return {
          actorKind: i.actor.kind,
          actorId: i.actor.id,
          ehrId: i.ehrId ?? null,
          patientId: i.patientId ?? null,
          action: i.action,
          resourceType: i.resourceType ?? null,
          resourceId: i.resourceId ?? null,
          outcome: i.outcome,
          decision: i.decision ?? null,
          ip: i.ip ?? null,
          userAgent: i.userAgent ?? null,
          requestId: i.requestId ?? null,
          details,
          detailsDigest,
        };
      }),
    );

    if (manager) {
      // Outside a transaction the head's row lock would be released at once and two appends
      // could fork the chain.
      if (!manager.queryRunner?.isTransactionActive) {
        throw new AppError(500, 'audit_no_transaction', 'AuditLog.record: the manager given is not inside a transaction', { expose: false });
      }
      // The caller's transaction may still roll back: forget the cached head.
      this.head = null;
      await this.appendLocked(manager, prepared);
    } else {
      await this.groupCommit(prepared);
    }
  }

  /** Chains `batch` onto `head`: seq, prev_hash and hash of every row. */
  private chain(batch: readonly Prepared[], head: Head): { rows: AuditEntryRow[]; head: Head } {
    let seq = head.seq;
    let prevHash = head.hash;
    const at = this.clock();
    const rows = batch.map(({ detailsDigest, ...p }) => {
      seq += 1;
      const hash = entryHash({ ...p, detailsDigest, seq, at, prevHash });
      const row: AuditEntryRow = { ...p, seq: String(seq), at, prevHash, hash };
      prevHash = hash;
      return row;
    });
    return { rows, head: { seq, hash: prevHash } };
  }

  /** Inside a transaction: the head row stays locked until it commits, so the chain cannot fork. */
  private async appendLocked(m: EntityManager, batch: readonly Prepared[]): Promise<void> {
    const [row] = (await m.query('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE')) as { seq: string; hash: string }[];
    if (!row) throw headMissing();
    const { rows, head } = this.chain(batch, { seq: Number(row.seq), hash: row.hash });
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_STATEMENT) {
      const part = rows.slice(i, i + MAX_ROWS_PER_STATEMENT);
      await m.query(`INSERT INTO audit_entry (${COLUMNS.join(', ')}) VALUES ${valuesList(part.length)}`, part.flatMap(rowParams));
    }
    await m.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [String(head.seq), head.hash]);
  }

  /**
   * One statement, so one round trip: the head moves only if it is still where this process last
   * saw it, and the rows go in only if it moved. Another node's append in between makes it a
   * no-op; the head is then read again and the rows chained anew.
   */
  private async appendOptimistic(batch: readonly Prepared[]): Promise<void> {
    if (batch.length > MAX_ROWS_PER_STATEMENT) {
      await this.ds.transaction((m) => this.appendLocked(m, batch));
      this.head = null;
      return;
    }
    for (let attempt = 1; ; attempt++) {
      if (!this.head) {
        const [row] = (await this.ds.query('SELECT seq, hash FROM audit_head WHERE id = 1')) as { seq: string; hash: string }[];
        if (!row) throw headMissing();
        this.head = { seq: Number(row.seq), hash: row.hash };
      }
      const from = this.head;
      const { rows, head } = this.chain(batch, from);
      this.head = null;
      const params = [String(head.seq), head.hash, String(from.seq), from.hash, ...rows.flatMap(rowParams)];
      const prepared = APPEND_STATEMENTS[rows.length - 1];
      const inserted = prepared ? await runStatement(this.ds, prepared, params) : ((await this.ds.query(appendSql(rows.length), params)) as unknown[]);
      if (inserted.length === rows.length) {
        this.head = head;
        return;
      }
      if (attempt >= 20) throw new AppError(503, 'audit_busy', 'The audit trail is busy; try again.', { expose: false });
      // Another node appended first: back off a little so two nodes do not keep colliding.
      if (attempt > 2) await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }

  /**
   * Appends outside a caller's transaction share one statement with whatever else is waiting
   * (group commit): one round trip per batch instead of one per request, and each caller still
   * returns only after its own entries are committed.
   */
  private groupCommit(rows: Prepared[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.appendOptimistic(batch.flatMap((w) => w.rows));
          for (const w of batch) w.done();
        } catch (e) {
          // One bad batch must not take the others' entries with it: retry each caller alone.
          if (batch.length === 1) batch[0]!.done(e);
          else for (const w of batch) await this.appendOptimistic(w.rows).then(() => w.done(), (err: unknown) => w.done(err));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One patient's entries, decrypted, newest first. `before` is a seq (exclusive) for paging. */
  async records(ehrId: string, patientId: string, opts: RecordFilter = {}): Promise<AuditRecord[]> {
    if (!ehrId || !patientId) throw new AppError(500, 'audit_invalid', 'records: ehrId and patientId are required', { expose: false });
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), 500);
    const where: FindOptionsWhere<AuditEntryRow> = { ehrId, patientId };
    if (opts.before !== undefined) where.seq = LessThan(String(Math.trunc(opts.before)));
    if (opts.actions) where.action = In([...opts.actions]);
    if (opts.actor) {
      where.actorKind = opts.actor.kind;
      where.actorId = opts.actor.id;
    }
    const rows = await this.ds.getRepository(AuditEntryEntity).find({ where, order: { seq: 'DESC' }, take: limit });
    return Promise.all(rows.map((r) => this.open(r)));
  }

  /** The patient's account-activity page: by default only ACTIVITY_ACTIONS. */
  async forPatient(ehrId: string, patientId: string, opts: RecordFilter = {}): Promise<ActivityItem[]> {
    const records = await this.records(ehrId, patientId, { ...opts, actions: opts.actions ?? ACTIVITY_ACTIONS });
    return records.map((r) => {
      const device = deviceSummary(r.userAgent);
      return {
        seq: r.seq,
        at: r.at.toISOString(),
        action: r.action,
        who: r.actor.name ? { kind: r.actor.kind, name: r.actor.name } : { kind: r.actor.kind },
        ...(r.resourceType ? { resourceType: r.resourceType } : {}),
        outcome: r.outcome,
        ...(device ? { device } : {}),
      };
    });
  }

  toAuditEvent(record: AuditRecord): AuditEvent {
    return toAuditEvent(record);
  }

  /**
   * Walks the chain in seq order and names the first entry that is altered (its content does not
   * match its hash), missing (a gap in seq, a link to a predecessor that is not there, or newest
   * entries gone — caught by audit_head) or reordered (it links to an entry at another position).
   */
  async verify(opts: { batchSize?: number } = {}): Promise<VerifyResult> {
    const batchSize = opts.batchSize ?? 500;
    const repo = this.ds.getRepository(AuditEntryEntity);
    // The head first: entries appended while we walk are beyond it and left for the next run.
    const [head] = (await this.ds.query('SELECT seq, hash FROM audit_head WHERE id = 1')) as { seq: string; hash: string }[];
    if (!head) return { ok: false, checked: 0, problem: { seq: 0, kind: 'missing', detail: 'audit_head has no row' } };
    const headSeq = Number(head.seq);

    let expected = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await repo.find({
        where: { seq: Between(String(expected), String(headSeq)) },
        order: { seq: 'ASC' },
        take: batchSize,
      });
      if (rows.length === 0) break;
      const digests = await Promise.all(rows.map((r) => this.digestOf(r)));
      for (const [i, row] of rows.entries()) {
        const seq = Number(row.seq);
        if (seq !== expected) {
          return this.broken(checked, expected, 'missing', `entry #${expected} is missing (the next one present is #${seq})`);
        }
        const digest = digests[i]!;
        if (digest === undefined) return this.broken(checked, seq, 'altered', `entry #${seq}: its details cannot be decrypted`);
        if (entryHash(fieldsOf(row, digest)) !== row.hash) {
          return this.broken(checked, seq, 'altered', `entry #${seq}: its content does not match its hash`);
        }
        if (row.prevHash !== prevHash) {
          const [other] = (await this.ds.query('SELECT seq FROM audit_entry WHERE hash = $1 LIMIT 1', [row.prevHash])) as { seq: string }[];
          return other
            ? this.broken(checked, seq, 'reordered', `entry #${seq} follows entry #${other.seq}, not #${seq - 1}`)
            : this.broken(checked, seq, 'missing', `entry #${seq} does not link to entry #${seq - 1}: an entry before it was removed or replaced`);
        }
        prevHash = row.hash;
        expected += 1;
        checked += 1;
      }
    }
    if (checked < headSeq) {
      return this.broken(checked, checked + 1, 'missing', `entries #${checked + 1}–#${headSeq} are missing (the head records #${headSeq})`);
    }
    if (prevHash !== head.hash) {
      return this.broken(checked, headSeq, 'altered', `entry #${headSeq} does not match the hash recorded in audit_head`);
    }
    return { ok: true, checked, headHash: head.hash };
  }

  private broken(checked: number, seq: number, kind: 'altered' | 'missing' | 'reordered', detail: string): VerifyResult {
    return { ok: false, checked, problem: { seq, kind, detail } };
  }

  /** The digest the hash covers; undefined when details cannot be decrypted. */
  private async digestOf(row: AuditEntryRow): Promise<string | null | undefined> {
    if (row.details === null) return null;
    try {
      return digestDetails(await this.cipher.decrypt(row.details));
    } catch {
      return undefined;
    }
  }

  private async open(row: AuditEntryRow): Promise<AuditRecord> {
    const sealed = row.details === null ? undefined : await this.cipher.decryptJson<SealedDetails>(row.details);
    return {
      seq: Number(row.seq),
      at: row.at,
      actor: { kind: row.actorKind, id: row.actorId, ...(sealed?.actorName !== undefined ? { name: sealed.actorName } : {}) },
      ...(row.ehrId !== null ? { ehrId: row.ehrId } : {}),
      ...(row.patientId !== null ? { patientId: row.patientId } : {}),
      action: row.action,
      ...(row.resourceType !== null ? { resourceType: row.resourceType } : {}),
      ...(row.resourceId !== null ? { resourceId: row.resourceId } : {}),
      outcome: row.outcome,
      ...(row.decision !== null ? { decision: row.decision } : {}),
      ...(row.ip !== null ? { ip: row.ip } : {}),
      ...(row.userAgent !== null ? { userAgent: row.userAgent } : {}),
      ...(row.requestId !== null ? { requestId: row.requestId } : {}),
      ...(sealed?.details !== undefined ? { details: sealed.details } : {}),
    };
  }
}
