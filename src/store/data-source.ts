import { mkdirSync } from 'node:fs';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { PGlite } from '@electric-sql/pglite';
import { embeddedDriver } from './embedded-driver.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };

/** Opens the database, runs pending migrations (never `synchronize`), and returns the data source. */
export async function openStore(target: DatabaseTarget, options: { migrate?: boolean } = {}): Promise<DataSource> {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES as MixedList<string | EntitySchema | (new () => unknown)>,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  };
  let ds: DataSource;
  if (target.kind === 'postgres') {
    ds = new DataSource({ ...common, url: target.url, extra: { max: 10, connectionTimeoutMillis: 10_000 } });
  } else {
    // 'memory://' keeps the embedded database in memory (tests); anything else is a folder.
    const dataDir = target.dataDir === 'memory://' ? undefined : target.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create(dataDir ? `${dataDir}/pg` : undefined);
    ds = new DataSource({ ...common, driver: embeddedDriver(db) });
  }
  try {
    await ds.initialize();
  } catch (e) {
    throw new StoreError(describe(target), e);
  }
  if (options.migrate !== false) await ds.runMigrations({ transaction: 'each' });
  return ds;
}

function describe(target: DatabaseTarget): string {
  // Name the variable to fix, as every start-up error does (config-error.ts).
  if (target.kind === 'embedded') return `embedded database at ${target.dataDir} (DATA_DIR)`;
  const u = new URL(target.url);
  return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname} (DATABASE_URL)`; // never the password
}

export class StoreError extends Error {
  constructor(where: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`cannot open the ${where}: ${reason}`, { cause });
    this.name = 'StoreError';
  }
}
