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

/** Runs a statement with its parameters; answers its rows. */
export async function runStatement<T>(ds: DataSource, st: Statement, values: readonly unknown[]): Promise<T[]> {
  // TypeORM hands the query on to the driver untouched: `pg` reads a { name, text } config as a
  // prepared statement, and the embedded driver reads its text.
  return (await ds.query(st as unknown as string, [...values])) as T[];
}
