import type { DataSource } from 'typeorm';

/**
 * A statement that runs on every request (the session row, the policy state, the outbox's local
 * writes, the audit append). On PostgreSQL it goes as a named prepared statement: each pooled
 * connection parses and plans it once, and every later run sends only its parameters, which
 * halves the round trip. The embedded database runs it as an ordinary query.
 *
 * A name stands for exactly one text (PostgreSQL refuses a second text under a name already
 * prepared on a connection), so names are given here, next to their text, and nowhere else.
 * Behind PgBouncer in transaction mode, PgBouncer 1.21+ with `max_prepared_statements` set is needed.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const byName = new Map<string, string>();

export function statement(name: string, text: string): Statement {
  if (!NAME.test(name)) throw new Error(`statement name ${JSON.stringify(name)}: lower-case letters, digits and _ only`);
  const known = byName.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement name ${name} is already used for another text`);
  byName.set(name, text);
  return { name, text };
}

/** The part of a `pg` Pool a statement needs. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * The `pg` pool behind a PostgreSQL data source; undefined for the embedded driver. Statements go
 * to it directly: TypeORM's query runner adds a runner, its events and its release around every
 * call, several turns of the event loop that a statement on the request path does not need.
 */
function pgPool(ds: DataSource): PgPool | undefined {
  if ((ds.options as { driver?: unknown }).driver !== undefined) return undefined;
  const master = (ds.driver as { master?: Partial<PgPool> }).master;
  return typeof master?.query === 'function' ? (master as PgPool) : undefined;
}

/** Runs a statement with its parameters; answers its rows. */
export async function runStatement<T>(ds: DataSource, st: Statement, values: readonly unknown[]): Promise<T[]> {
  const pool = pgPool(ds);
  // `pg` reads a { name, text } config as a prepared statement; the embedded driver reads its text.
  if (pool) return (await pool.query({ name: st.name, text: st.text, values: [...values] })).rows as T[];
  return (await ds.query(st.text, [...values])) as T[];
}
