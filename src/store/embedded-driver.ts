import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A `pg`-shaped driver over one embedded PGlite database, for TypeORM's postgres dialect.
 *
 * PGlite is a single connection. If two TypeORM query runners shared it freely, one runner's
 * ROLLBACK would undo the other's statements (an audit row, an outbox write) that happened to
 * run inside its transaction. So each checked-out client holds an exclusive lease until TypeORM
 * releases it: transactions and single statements run one at a time, as on a one-connection pool.
 */
class Lease {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => {
      let done = false;
      return () => {
        if (!done) {
          done = true;
          release();
        }
      };
    });
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

type Callback = (err: Error | null, result?: PgResult) => void;

function commandOf(sql: string): string {
  return (/^\s*([A-Za-z]+)/.exec(sql)?.[1] ?? '').toUpperCase();
}

class EmbeddedClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  /** `query` is SQL text, or a prepared statement's { name, text } (store/statement.ts): run as plain text here. */
  query(query: string | { text: string }, params?: unknown[] | Callback, cb?: Callback): Promise<PgResult> {
    const sql = typeof query === 'string' ? query : query.text;
    const callback = typeof params === 'function' ? params : cb;
    const values = Array.isArray(params) ? params : undefined;
    const run = async (): Promise<PgResult> => {
      if (values && values.length > 0) {
        const r = await this.db.query(sql, values);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(sql), fields: r.fields };
      }
      // exec accepts several statements (migrations); TypeORM wants the last result.
      const all = await this.db.exec(sql);
      const last = all[all.length - 1];
      return {
        rows: last?.rows ?? [],
        rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
        command: commandOf(sql),
        fields: last?.fields ?? [],
      };
    };
    const p = run();
    if (callback) {
      // Callback style (TypeORM's executeQuery): report through the callback only, so a failure
      // is not also thrown as an unhandled rejection.
      p.then((r) => callback(null, r), (e: Error) => callback(e));
      return p.catch(() => ({ rows: [], rowCount: 0, command: '', fields: [] }));
    }
    return p;
  }
}

export function embeddedDriver(db: PGlite): unknown {
  const lease = new Lease();
  class Pool extends EventEmitter {
    connect(cb: (err: Error | null, client?: EmbeddedClient, release?: () => void) => void): void {
      lease.acquire().then(
        (release) => cb(null, new EmbeddedClient(db), release),
        (e: Error) => cb(e),
      );
    }

    end(cb?: (err: Error | null) => void): void {
      db.close().then(() => cb?.(null), (e: Error) => cb?.(e));
    }
  }
  return { Pool };
}
