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

  /**
   * Returns the pending authorization once; 'expired' when it timed out; undefined when unknown or
   * used; 'other_browser' when the callback came back to a browser that did not start it. That
   * last one leaves the state in place: someone replaying a stolen callback URL elsewhere must not
   * spoil the sign-in of the browser that started it.
   */
  async take(state: string, browserBinding: string | undefined): Promise<PendingAuthorization | 'expired' | 'other_browser' | undefined> {
    const stateHash = sha256(state);
    const found = await this.ds.getRepository(AuthRequestEntity).findOneBy({ stateHash });
    if (!found) return undefined;
    if (new Date(found.expiresAt).getTime() < this.clock().getTime()) {
      await this.ds.getRepository(AuthRequestEntity).delete({ stateHash });
      return 'expired';
    }
    const pending = await this.cipher.decryptJson<PendingAuthorization>(found.payload);
    if (browserBinding === undefined || browserBinding !== pending.browserBinding) return 'other_browser';
    // Deleting is the claim: of two callbacks from the same browser at once, one gets the row.
    const rows = (await this.ds.query('DELETE FROM auth_request WHERE state_hash = $1 RETURNING state_hash', [stateHash])) as unknown[];
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
    return list.length > 0 ? pending : undefined;
  }

  async purgeExpired(): Promise<number> {
    const r = await this.ds.createQueryBuilder().delete().from(AuthRequestEntity).where('expires_at < :now', { now: this.clock() }).execute();
    return r.affected ?? 0;
  }
}
