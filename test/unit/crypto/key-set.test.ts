import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config/config-error.js';
import { activeKeyOf, generateKeySet, parseKeySet, removeKey, rotate } from '../../../src/crypto/key-set.js';

const key = (kid: string, extra: Record<string, unknown> = {}) => ({ kty: 'oct', kid, k: Buffer.alloc(32, 7).toString('base64url'), ...extra });

describe('key set', () => {
  it('generates one active 256-bit oct key with a kid', () => {
    const set = generateKeySet(new Date('2025-03-04T00:00:00Z'));
    assert.equal(set.keys.length, 1);
    const k = set.keys[0]!;
    assert.equal(k.kty, 'oct');
    assert.equal(k.status, 'active');
    assert.match(k.kid, /^enc-20250304-[0-9a-f]{8}$/);
    assert.equal(Buffer.from(k.k, 'base64url').length, 32);
    assert.notEqual(generateKeySet().keys[0]!.k, k.k);
  });

  it('a single unmarked key is active; with several, exactly one must be marked', () => {
    assert.equal(activeKeyOf(parseKeySet(JSON.stringify({ keys: [key('a')] }), 'x')).kid, 'a');
    const two = parseKeySet(JSON.stringify({ keys: [key('a', { status: 'retired' }), key('b', { status: 'active' })] }), 'x');
    assert.equal(activeKeyOf(two).kid, 'b');
    assert.throws(() => parseKeySet(JSON.stringify({ keys: [key('a'), key('b')] }), 'ENV'), /ENV: keys: with several keys/);
    assert.throws(
      () => parseKeySet(JSON.stringify({ keys: [key('a', { status: 'active' }), key('b', { status: 'active' })] }), 'ENV'),
      /more than one key has status "active"/,
    );
  });

  it('names the faulty field and never echoes key material', () => {
    const short = { kty: 'oct', kid: 'a', k: Buffer.alloc(16, 1).toString('base64url') };
    assert.throws(() => parseKeySet(JSON.stringify({ keys: [short] }), 'ENCRYPTION_KEYS'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /ENCRYPTION_KEYS: keys\.0\.k: must be a 256-bit key/);
      assert.ok(!e.message.includes(short.k));
      return true;
    });
    assert.throws(() => parseKeySet(JSON.stringify({ keys: [key('a'), key('a', { status: 'active' })] }), 'S'), /duplicate kid "a"/);
    assert.throws(() => parseKeySet(JSON.stringify({ keys: [{ ...key('a'), kty: 'RSA' }] }), 'S'), /keys\.0\.kty/);
    assert.throws(() => parseKeySet('{"keys": [{"k": "c2VjcmV0"', 'S'), (e: unknown) => {
      assert.equal((e as Error).message, 'S: not valid JSON');
      return true;
    });
  });

  it('rotate adds a new active key and keeps the old ones retired; removeKey refuses the active key', () => {
    const set = generateKeySet();
    const { set: next, kid } = rotate(set);
    assert.equal(next.keys.length, 2);
    assert.equal(activeKeyOf(next).kid, kid);
    assert.equal(next.keys.find((k) => k.kid === set.keys[0]!.kid)?.status, 'retired');
    assert.doesNotThrow(() => parseKeySet(JSON.stringify(next), 'rotated'));
    assert.throws(() => removeKey(next, kid), /is the active key/);
    assert.throws(() => removeKey(next, 'nope'), /no key with kid "nope"/);
    assert.deepEqual(removeKey(next, set.keys[0]!.kid).keys.map((k) => k.kid), [kid]);
  });
});
