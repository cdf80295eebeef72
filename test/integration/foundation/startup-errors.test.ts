import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, freePort, ownLines, startMain } from './child.js';
import { smartConfigCopy } from '../helpers/smart-config.js';

/**
 * Issue 2 "Done when": a bad configuration stops `npm start` before anything listens, with exit
 * code 1 and one line that names the file or variable, the key and the fault — and never prints a
 * password from DATABASE_URL.
 */
const PASSWORD = 'Pw-7fd1c0ae-never-print';

async function startFails(extra: Record<string, string>): Promise<{ code: number | null; line: string; all: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portal-start-'));
  try {
    const main = startMain(childEnv({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir, ...extra }));
    const code = await main.exited;
    const lines = [...ownLines(main.stdout()), ...ownLines(main.stderr())];
    assert.equal(lines.length, 1, `expected one line, got:\n${lines.join('\n')}`);
    return { code, line: lines[0]!, all: `${main.stdout()}${main.stderr()}` };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('start-up refuses a bad configuration (tsx src/main.ts as a child process)', function () {
  this.timeout(90_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a smart-config file that is not JSON: exit 1, one line naming the file', async () => {
    const dir = smartConfigCopy((s) => s.replace(/}\s*$/, ''));
    dirs.push(dir);
    const r = await startFails({ SMART_CONFIG_DIR: dir });
    assert.equal(r.code, 1);
    assert.ok(r.line.includes(join(dir, 'sandbox.json')), r.line);
    assert.match(r.line, /not valid JSON/);
  });

  it('a smart-config key of the wrong type: exit 1, one line naming the file, the key and the fault', async () => {
    const dir = smartConfigCopy((s) => JSON.stringify({ ...JSON.parse(s), maxPages: 'twenty' }));
    dirs.push(dir);
    const r = await startFails({ SMART_CONFIG_DIR: dir });
    assert.equal(r.code, 1);
    assert.ok(r.line.includes(join(dir, 'sandbox.json')), r.line);
    assert.match(r.line, /maxPages: .*expected number/, r.line);
  });

  it('a DATABASE_URL that does not parse: exit 1, one line naming the variable, without the password', async () => {
    const r = await startFails({ DATABASE_URL: `postgres://portal:${PASSWORD}@db.internal:notaport/portal` });
    assert.equal(r.code, 1);
    assert.match(r.line, /DATABASE_URL: not a valid URL/);
    assert.ok(!r.all.includes(PASSWORD), 'password printed');
  });

  it('a DATABASE_URL naming a database that does not exist: exit 1, one line naming the variable and the database, without the password', async () => {
    const r = await startFails({ DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:5432/no_such_portal_db` });
    assert.equal(r.code, 1);
    assert.match(r.line, /DATABASE_URL/);
    assert.match(r.line, /no_such_portal_db.*does not exist/);
    assert.ok(!r.all.includes(PASSWORD), 'password printed');
  });
});
