import type { DataSource } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { SessionEntity, type SessionRow } from '../store/entities/session.js';
import { entityColumns } from '../store/row-select.js';
import { runStatement, statement, type Statement } from '../store/statement.js';
import { randomToken, sha256 } from './hash.js';

export type ViewerKind = 'patient' | 'proxy' | 'staff';

/** Everything secret or identifying about a session: stored only as JWE. */
export interface SessionSecrets {
  accessToken: string;
  refreshToken?: string;
  csrfToken: string;
  patientName?: string;
  viewerName?: string;
  viewerRelationship?: string;
  patientBirthDate?: string;
  /** US state from the patient's address: some release rules depend on it. */
  patientState?: string;
  fhirUser?: string;
  encounter?: string;
  needPatientBanner: boolean;
  smartStyleUrl?: string;
  /** The EHR's style colours (hex only), read once at sign-in. */
  style?: Record<string, string>;
  tenant?: string;
}

export interface PortalSession {
  /** Hash of the cookie value; the cookie value itself is never stored. */
  key: string;
  ehrId: string;
  patientId: string;
  viewer: { kind: ViewerKind; id: string };
  scopes: string;
  secrets: SessionSecrets;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  accessExpiresAt: Date | null;
}

export type SessionLookup =
  | { status: 'active'; session: PortalSession }
  | { status: 'idle' | 'expired' | 'ended' | 'unknown' };

export interface NewSession {
  ehrId: string;
  patientId: string;
  viewer: { kind: ViewerKind; id: string };
  scopes: string;
  secrets: Omit<SessionSecrets, 'csrfToken'>;
  accessExpiresAt: Date | null;
}

/** Sessions whose decrypted secrets stay in memory; the least recently used go first. */
const OPEN_SECRETS_MAX = 5_000;

/** Server-side sessions: the browser holds a random id; tokens never leave the server. */
export class SessionStore {
  /**
   * Decrypted secrets per session, with the ciphertext they came from: a request whose row still
   * holds that ciphertext skips the JWE decrypt. Any change of the stored secrets (a refresh on
   * another node, sign-out) changes or drops the ciphertext, so a stale entry is never used.
   */
  private readonly open = new Map<string, { jwe: string; secrets: SessionSecrets }>();
  /** The row query (every API request starts with it), built from the entity's columns. */
  private selectRow?: Statement;

  constructor(
    private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
    private readonly limits: { idleMs: number; maxMs: number },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(input: NewSession): Promise<{ cookieValue: string; session: PortalSession }> {
    const cookieValue = randomToken();
    const now = this.clock();
    const secrets: SessionSecrets = { ...input.secrets, csrfToken: randomToken() };
    const session: PortalSession = {
      key: sha256(cookieValue),
      ehrId: input.ehrId,
      patientId: input.patientId,
      viewer: input.viewer,
      scopes: input.scopes,
      secrets,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.limits.maxMs),
      accessExpiresAt: input.accessExpiresAt,
    };
    const row: SessionRow = {
      idHash: session.key,
      ehrId: input.ehrId,
      patientId: input.patientId,
      viewerKind: input.viewer.kind,
      viewerId: input.viewer.id,
      scopes: input.scopes,
      secrets: await this.cipher.encryptJson(secrets),
      csrfHash: sha256(secrets.csrfToken),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: session.expiresAt,
      accessExpiresAt: input.accessExpiresAt,
      endedAt: null,
      endReason: null,
    };
    await this.ds.getRepository(SessionEntity).insert(row);
    return { cookieValue, session };
  }

  /** Looks a cookie up; an idle or expired session is ended on the spot and reported as such. */
  async lookup(cookieValue: string | undefined): Promise<SessionLookup> {
    if (!cookieValue || cookieValue.length > 128) return { status: 'unknown' };
    const row = await this.row(sha256(cookieValue));
    if (!row) return { status: 'unknown' };
    if (row.endedAt) return { status: row.endReason === 'idle' ? 'idle' : row.endReason === 'expired' ? 'expired' : 'ended' };
    const now = this.clock().getTime();
    if (now >= new Date(row.expiresAt).getTime()) {
      await this.end(row.idHash, 'expired');
      return { status: 'expired' };
    }
    if (now - new Date(row.lastSeenAt).getTime() >= this.limits.idleMs) {
      await this.end(row.idHash, 'idle');
      return { status: 'idle' };
    }
    return { status: 'active', session: await this.toSession(row) };
  }

  async touch(session: PortalSession): Promise<void> {
    const now = this.clock();
    session.lastSeenAt = now;
    await this.ds.getRepository(SessionEntity).update({ idHash: session.key }, { lastSeenAt: now });
  }

  async saveTokens(session: PortalSession, update: { accessToken: string; refreshToken?: string; scopes?: string; accessExpiresAt: Date | null }): Promise<void> {
    session.secrets = { ...session.secrets, accessToken: update.accessToken, ...(update.refreshToken ? { refreshToken: update.refreshToken } : {}) };
    if (update.scopes) session.scopes = update.scopes;
    session.accessExpiresAt = update.accessExpiresAt;
    const jwe = await this.cipher.encryptJson(session.secrets);
    await this.ds.getRepository(SessionEntity).update({ idHash: session.key }, { secrets: jwe, scopes: session.scopes, accessExpiresAt: update.accessExpiresAt });
    this.remember(session.key, jwe, session.secrets);
  }

  /** Re-reads a session's secrets (another process may have refreshed its tokens). */
  async reload(session: PortalSession): Promise<PortalSession | undefined> {
    const row = await this.row(session.key);
    if (!row || row.endedAt) return undefined;
    return this.toSession(row);
  }

  async end(key: string, reason: 'logout' | 'idle' | 'expired' | 'refresh_failed' | 'revoked'): Promise<void> {
    // Drop the secrets with the session: ended sessions keep only what the audit needs.
    this.open.delete(key);
    await this.ds.getRepository(SessionEntity).update({ idHash: key }, { endedAt: this.clock(), endReason: reason, secrets: null });
  }

  async countActive(): Promise<number> {
    return this.ds.getRepository(SessionEntity).createQueryBuilder('s').where('s.ended_at IS NULL AND s.expires_at > :now', { now: this.clock() }).getCount();
  }

  private async row(idHash: string): Promise<SessionRow | undefined> {
    this.selectRow ??= statement('session_row', `SELECT ${entityColumns(this.ds, SessionEntity)} FROM portal_session WHERE id_hash = $1`);
    const [row] = await runStatement<SessionRow>(this.ds, this.selectRow, [idHash]);
    return row;
  }

  /** Keeps a copy of a session's secrets beside their ciphertext, as the most recently used. */
  private remember(key: string, jwe: string, secrets: SessionSecrets): void {
    this.open.delete(key);
    this.open.set(key, { jwe, secrets: { ...secrets } });
    if (this.open.size > OPEN_SECRETS_MAX) this.open.delete(this.open.keys().next().value!);
  }

  private async secretsOf(row: SessionRow): Promise<SessionSecrets> {
    const jwe = row.secrets ?? '';
    const cached = this.open.get(row.idHash);
    const secrets = cached?.jwe === jwe ? cached.secrets : await this.cipher.decryptJson<SessionSecrets>(jwe);
    this.remember(row.idHash, jwe, secrets);
    return { ...secrets };
  }

  /** A stored row as a session (secrets decrypted); for other readers of the table, such as the outbox. */
  async toSession(row: SessionRow): Promise<PortalSession> {
    return {
      key: row.idHash,
      ehrId: row.ehrId,
      patientId: row.patientId,
      viewer: { kind: row.viewerKind, id: row.viewerId },
      scopes: row.scopes,
      secrets: await this.secretsOf(row),
      createdAt: new Date(row.createdAt),
      lastSeenAt: new Date(row.lastSeenAt),
      expiresAt: new Date(row.expiresAt),
      accessExpiresAt: row.accessExpiresAt ? new Date(row.accessExpiresAt) : null,
    };
  }
}
