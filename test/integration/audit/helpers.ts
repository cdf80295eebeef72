import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { openStore } from '../../../src/store/data-source.js';

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database with the migrations applied; `drop()` closes its sources and removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; open: () => Promise<DataSource>; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const opened: DataSource[] = [];
  return {
    url: url.toString(),
    open: async () => {
      const ds = await openStore({ kind: 'postgres', url: url.toString() });
      opened.push(ds);
      return ds;
    },
    drop: async () => {
      await Promise.all(opened.filter((d) => d.isInitialized).map((d) => d.destroy()));
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
