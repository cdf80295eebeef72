import { createHash } from 'node:crypto';

/** prev_hash of the first entry, and audit_head.hash of an empty trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything a row's hash covers, in a fixed order. */
export interface ChainFields {
  seq: number;
  at: Date;
  actorKind: string;
  actorId: string;
  ehrId: string | null;
  patientId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  decision: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** sha256 of the details plaintext, or null when the row has no details (see digestDetails). */
  detailsDigest: string | null;
  prevHash: string;
}

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
