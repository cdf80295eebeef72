import type { DataSource } from 'typeorm';
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from './field-cipher.js';

export interface RekeyCounts {
  table: string;
  column: string;
  /** Rows read. */
  scanned: number;
  /** Re-encrypted under the active key. */
  rekeyed: number;
  /** Already under the active key, or NULL. */
  unchanged: number;
  /** Changed by the app between our read and our update: its value is kept (run again if a node may still use the old key). */
  raced: number;
  /** Not a readable JWE, or its key is not in the ring: left as they are, and reported. */
  failed: number;
}

export interface RekeyOptions {
  batchSize?: number;
  columns?: readonly EncryptedColumn[];
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`rekey: "${name}" is not a plain SQL identifier`);
  return `"${name}"`;
}

/**
 * Re-encrypts every registered column under the active key while the app keeps running: rows
 * are read in primary-key order (keyset pagination: each batch is an index range scan however
 * big the table), crypto runs outside any transaction, and each batch is written in one short
 * transaction whose updates apply only if the value is still the one read (compare-and-set), so
 * a concurrent write by the app is never overwritten with old data and no lock is held long.
 */
export async function rekey(ds: DataSource, cipher: FieldCipher, options: RekeyOptions = {}): Promise<RekeyCounts[]> {
  const batchSize = options.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('rekey: batchSize must be a positive integer');
  const active = cipher.activeKid();
  const results: RekeyCounts[] = [];

  for (const spec of options.columns ?? ENCRYPTED_COLUMNS) {
    const [table, pk, col] = [ident(spec.table), ident(spec.primaryKey), ident(spec.column)];
    const counts: RekeyCounts = { table: spec.table, column: spec.column, scanned: 0, rekeyed: 0, unchanged: 0, raced: 0, failed: 0 };
    let cursor: unknown;
    for (;;) {
      const rows: { pk: unknown; value: string | null }[] =
        cursor === undefined
          ? await ds.query(`SELECT ${pk} AS pk, ${col} AS value FROM ${table} ORDER BY ${pk} LIMIT $1`, [batchSize])
          : await ds.query(`SELECT ${pk} AS pk, ${col} AS value FROM ${table} WHERE ${pk} > $1 ORDER BY ${pk} LIMIT $2`, [cursor, batchSize]);
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]!.pk;
      counts.scanned += rows.length;

      const updates: { pk: unknown; from: string; to: string }[] = [];
      for (const row of rows) {
        if (row.value === null) {
          counts.unchanged++;
          continue;
        }
        try {
          if (cipher.kidOf(row.value) === active) {
            counts.unchanged++;
            continue;
          }
          updates.push({ pk: row.pk, from: row.value, to: await cipher.encrypt(await cipher.decrypt(row.value)) });
        } catch {
          counts.failed++;
        }
      }
      if (updates.length === 0) continue;
      await ds.transaction(async (m) => {
        for (const u of updates) {
          const [, affected] = (await m.query(`UPDATE ${table} SET ${col} = $1 WHERE ${pk} = $2 AND ${col} = $3`, [u.to, u.pk, u.from])) as [
            unknown,
            number,
          ];
          if (affected === 1) counts.rekeyed++;
          else counts.raced++;
        }
      });
    }
    results.push(counts);
  }
  return results;
}
