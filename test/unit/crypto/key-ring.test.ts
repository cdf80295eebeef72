import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/config-error.js';
import { DEV_KEY_FILE_NAME, loadKeyRing } from '../../../src/crypto/key-ring.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { createLogger } from '../../../src/log.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

describe('loadKeyRing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('outside production creates the development key file once (mode 0600), warns with the kid only, and reuses it', async () => {
    const first = capture();
    const ring = await loadKeyRing({ production: false, dataDir: join(dir, 'data'), logger: first.logger });
    const file = join(dir, 'data', DEV_KEY_FILE_NAME);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string; k: string }[] };
    assert.equal(stored.keys[0]!.kid, ring.cipher.activeKid());
    assert.equal(first.lines.length, 1);
    const log = JSON.parse(first.lines[0]!) as { level: number; kid: string; msg: string };
    assert.equal(log.level, 40);
    assert.equal(log.kid, ring.cipher.activeKid());
    assert.match(log.msg, /created a development key file/);
    assert.ok(!first.lines[0]!.includes(stored.keys[0]!.k));

    const jwe = await ring.cipher.encrypt('kept across restarts');
    const second = capture();
    const again = await loadKeyRing({ production: false, dataDir: join(dir, 'data'), logger: second.logger });
    assert.equal(again.cipher.activeKid(), ring.cipher.activeKid());
    assert.equal(await again.cipher.decrypt(jwe), 'kept across restarts');
    assert.match((JSON.parse(second.lines[0]!) as { msg: string }).msg, /using the development key file/);
    assert.equal(readFileSync(file, 'utf8'), JSON.stringify(stored, null, 2) + '\n');
  });

  it('refuses to start in production without a key source, and creates nothing', async () => {
    const { logger } = capture();
    await assert.rejects(loadKeyRing({ production: true, dataDir: dir, logger }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /ENCRYPTION_KEYS/);
      return true;
    });
    assert.throws(() => statSync(join(dir, DEV_KEY_FILE_NAME)), /ENOENT/);
  });

  it('reads ENCRYPTION_KEYS, or ENCRYPTION_KEYS_FILE (warning when others can read it), but not both', async () => {
    const set = generateKeySet();
    const { logger, lines } = capture();
    const fromEnv = await loadKeyRing({ keysJson: JSON.stringify(set), production: true, dataDir: dir, logger });
    assert.equal(fromEnv.cipher.activeKid(), set.keys[0]!.kid);
    assert.equal(lines.length, 0);

    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify(set), { mode: 0o644 });
    const fromFile = await loadKeyRing({ keysFile: file, production: true, dataDir: dir, logger });
    assert.equal(await fromFile.cipher.decrypt(await fromEnv.cipher.encrypt('x')), 'x');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /readable by other users/);

    await assert.rejects(loadKeyRing({ keysJson: JSON.stringify(set), keysFile: file, production: true, dataDir: dir, logger }), /both set/);
    await assert.rejects(loadKeyRing({ keysFile: join(dir, 'missing.json'), production: true, dataDir: dir, logger }), /ENOENT/);
    await assert.rejects(loadKeyRing({ keysJson: '{"keys":[]}', production: true, dataDir: dir, logger }), /ENCRYPTION_KEYS: keys: at least one key/);
  });
});
