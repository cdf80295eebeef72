/**
 * Every column that holds a FieldCipher JWE, so key rotation (rekey.ts) can re-encrypt all of
 * them. A feature that adds an encrypted column adds one line here.
 */
export interface EncryptedColumn {
  table: string;
  /** A single-column primary key (keyset pagination orders by it). */
  primaryKey: string;
  /** A text column holding a compact JWE, or NULL. */
  column: string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'auth_request', primaryKey: 'state_hash', column: 'payload' },
  { table: 'portal_session', primaryKey: 'id_hash', column: 'secrets' },
  { table: 'audit_entry', primaryKey: 'seq', column: 'details' },
  { table: 'outbox_item', primaryKey: 'id', column: 'payload' },
  { table: 'outbox_item', primaryKey: 'id', column: 'reason' },
  { table: 'clinician_action', primaryKey: 'id', column: 'reason' },
  { table: 'patient_preference', primaryKey: 'id', column: 'prefs' },
  { table: 'notification_preference', primaryKey: 'id', column: 'prefs' },
  { table: 'notification_preference', primaryKey: 'id', column: 'contact' },
];
