import { createHash } from 'node:crypto';
import type { AuditEntryRow } from '../store/entities/audit-entry.js';

/** prev_hash of the first entry, and audit_head.hash of an empty trail. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Everything a row's hash covers (entryHash fixes the order): the stored row without its
 * ciphertext and its own hash, with seq as a number and a digest of the details plaintext
 * (null when the row has no details; see digestDetails).
 */
export type ChainFields = Omit<AuditEntryRow, 'seq' | 'details' | 'hash'> & { seq: number; detailsDigest: string | null };

/**
 * The hash covers the details plaintext, not its ciphertext. Key rotation must re-encrypt
 * `details` (otherwise a retired key could never be dropped), and a hash over the ciphertext
 * would break at every rekey. The plaintext carries a random per-row nonce (see audit-log.ts),
 * so this digest, folded into the public hash, cannot be used to confirm a guessed name.
 * The cost: verifying needs the key ring, to decrypt each details value.
 */
export function digestDetails(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

/** sha256 over a JSON array (unambiguous: every field is a string or null, in a fixed order). */
export function entryHash(f: ChainFields): string {
  const canonical = JSON.stringify([
    'audit-entry/v1',
    String(f.seq),
    f.at.toISOString(),
    f.actorKind,
    f.actorId,
    f.ehrId,
    f.patientId,
    f.action,
    f.resourceType,
    f.resourceId,
    f.outcome,
    f.decision,
    f.ip,
    f.userAgent,
    f.requestId,
    f.detailsDigest,
    f.prevHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
