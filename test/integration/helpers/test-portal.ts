import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Writable } from 'node:stream';
import { startPortal, type RunningPortal } from '../../../src/server.js';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty PostgreSQL database for one test run; drop it with the returned function. */
export async function freshDatabase(prefix = 'portal'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Captured log lines, for tests that check what reaches the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
}

export interface TestPortal extends RunningPortal {
  logs: LogCapture;
  stop(): Promise<void>;
}

/**
 * The real app with its built-in sandbox EHR on a free port, on a fresh PostgreSQL database
 * (or the embedded one with `{ embedded: true }`), with dev keys in a temp folder.
 */
export async function startTestPortal(options: { env?: Record<string, string>; embedded?: boolean; clock?: () => Date } = {}): Promise<TestPortal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portal-test-'));
  const db = options.embedded ? undefined : await freshDatabase();
  const logs = new LogCapture();
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    WRITE_LIMIT_PER_MINUTE: '1000',
    LAUNCH_LIMIT_PER_MINUTE: '1000',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...options.env,
  };
  let running: RunningPortal;
  try {
    running = await startPortal(env, { logDestination: logs, ...(options.clock ? { clock: options.clock } : {}) });
  } catch (e) {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return Object.assign(running, {
    logs,
    stop: async () => {
      await running.close();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
