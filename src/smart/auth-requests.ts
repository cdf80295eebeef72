import type { DataSource } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { AuthRequestEntity, type AuthRequestRow } from '../store/entities/auth-request.js';
import { sha256 } from './hash.js';

export interface PendingAuthorization {
  ehrId: string;
  codeVerifier: string;
  nonce: string;
  launch?: string;
  /** Hash of the browser's launch cookie: the callback must come back to the same browser. */
  browserBinding: string;
}

/** How long a started sign-in may take before its state is refused. */
export const AUTH_REQUEST_TTL_MS = 10 * 60_000;

/**
 * Pending authorizations, keyed by (a hash of) `state` so two tabs or two EHRs in one browser each
 * keep their own. `take` deletes as it reads: a state is good once.
 */
export class AuthRequests {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async put(state: string, pending: PendingAuthorization): Promise<void> {
    const now = this.clock();
    const row: AuthRequestRow = {
      stateHash: sha256(state),
      ehrId: pending.ehrId,
      payload: await this.cipher.encryptJson(pending),
      createdAt: now,
      expiresAt: new Date(now.getTime() + AUTH_REQUEST_TTL_MS),
    };
    await this.ds.getRepository(AuthRequestEntity).insert(row);
  }

  /** Returns the pending authorization once; 'expired' when it timed out; undefined when unknown or used. */
  async take(state: string): Promise<PendingAuthorization | 'expired' | undefined> {
    const rows = (await this.ds.query('DELETE FROM auth_request WHERE state_hash = $1 RETURNING payload, expires_at', [sha256(state)])) as
      | { payload: string; expires_at: Date | string }[]
      | [{ payload: string; expires_at: Date | string }[], number];
    const list = Array.isArray(rows[0]) ? (rows[0] as { payload: string; expires_at: Date | string }[]) : (rows as { payload: string; expires_at: Date | string }[]);
    const row = list[0];
    if (!row) return undefined;
    if (new Date(row.expires_at).getTime() < this.clock().getTime()) return 'expired';
    return this.cipher.decryptJson<PendingAuthorization>(row.payload);
  }

  async purgeExpired(): Promise<number> {
    const r = await this.ds.createQueryBuilder().delete().from(AuthRequestEntity).where('expires_at < :now', { now: this.clock() }).execute();
    return r.affected ?? 0;
  }
}
