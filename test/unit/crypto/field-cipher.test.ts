import assert from 'node:assert/strict';
import jose from 'node-jose';
import { CipherError, createFieldCipher, type FieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet, removeKey, rotate, type KeySet } from '../../../src/crypto/key-set.js';

function header(jwe: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Flips one character of a base64url segment (keeping it valid base64url). */
function flip(jwe: string, part: number): string {
  const parts = jwe.split('.');
  const s = parts[part]!;
  const i = Math.floor(s.length / 2);
  parts[part] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return parts.join('.');
}

async function rejects(p: Promise<unknown>, code: string): Promise<CipherError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CipherError, `expected CipherError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

describe('FieldCipher', () => {
  let set: KeySet;
  let cipher: FieldCipher;
  before(async () => {
    set = generateKeySet();
    cipher = await createFieldCipher(set);
  });

  it('round-trips text as a compact JWE with A256KW, A256GCM and the active kid', async () => {
    const plain = 'Maria Garcia — note ü 😀';
    const jwe = await cipher.encrypt(plain);
    assert.equal(jwe.split('.').length, 5);
    assert.ok(!jwe.includes('Maria'));
    assert.deepEqual(header(jwe), { alg: 'A256KW', enc: 'A256GCM', kid: set.keys[0]!.kid });
    assert.equal(cipher.kidOf(jwe), set.keys[0]!.kid);
    assert.equal(cipher.activeKid(), set.keys[0]!.kid);
    assert.equal(await cipher.decrypt(jwe), plain);
  });

  it('encrypts the same text differently each time: a new wrapped content key and IV per value', async () => {
    const values = await Promise.all(Array.from({ length: 50 }, () => cipher.encrypt('same')));
    const parts = values.map((jwe) => jwe.split('.'));
    for (const [index, name] of [[1, 'wrapped key'], [2, 'IV'], [3, 'ciphertext']] as const) {
      assert.equal(new Set(parts.map((p) => p[index])).size, values.length, `every ${name} differs`);
    }
    for (const p of parts) {
      // A256KW wraps the 32-byte content key into 40 bytes; A256GCM's IV is 12 bytes.
      assert.equal(Buffer.from(p[1]!, 'base64url').length, 40);
      assert.equal(Buffer.from(p[2]!, 'base64url').length, 12);
    }
    for (const jwe of values) assert.equal(await cipher.decrypt(jwe), 'same');
  });

  it('reads values whose content key node-jose drew itself (as earlier releases wrote them)', async () => {
    const k = set.keys[0]!;
    const key = await jose.JWK.asKey({ kty: 'oct', kid: k.kid, k: k.k, use: 'enc', alg: 'A256KW' });
    const jwe = await jose.JWE.createEncrypt({ format: 'compact', contentAlg: 'A256GCM', fields: { alg: 'A256KW', kid: k.kid } }, key)
      .update(Buffer.from('written by an earlier release', 'utf8'))
      .final();
    assert.equal(await cipher.decrypt(jwe), 'written by an earlier release');
  });

  it('round-trips JSON', async () => {
    const value = { codeVerifier: 'abc', nested: { n: 1, list: [true, null] } };
    assert.deepEqual(await cipher.decryptJson(await cipher.encryptJson(value)), value);
    await assert.rejects(cipher.encryptJson(undefined), TypeError);
  });

  it('refuses a tampered ciphertext, tag, wrapped key or header without echoing content', async () => {
    const jwe = await cipher.encrypt('secret note about a rash');
    for (const part of [1, 2, 3, 4]) {
      const e = await rejects(cipher.decrypt(flip(jwe, part)), 'cipher_rejected');
      assert.ok(!e.message.includes('rash'));
      assert.equal(e.expose, false);
    }
    // A header edited to another algorithm is refused before any key is tried.
    const h = Buffer.from(JSON.stringify({ ...header(jwe), alg: 'dir' })).toString('base64url');
    await rejects(cipher.decrypt([h, ...jwe.split('.').slice(1)].join('.')), 'cipher_rejected');
    // Same algorithms, reordered header: the header is the AAD, so authentication fails.
    const { alg, enc, kid } = header(jwe);
    const h2 = Buffer.from(JSON.stringify({ kid, enc, alg })).toString('base64url');
    await rejects(cipher.decrypt([h2, ...jwe.split('.').slice(1)].join('.')), 'cipher_rejected');
  });

  it('refuses malformed input', async () => {
    await rejects(cipher.decrypt('not-a-jwe'), 'cipher_malformed');
    await rejects(cipher.decrypt('a.b.c.d.e'), 'cipher_malformed');
    assert.throws(() => cipher.kidOf('x.y'), CipherError);
  });

  it('refuses an unknown kid, naming the kid only', async () => {
    const other = await createFieldCipher(generateKeySet());
    const jwe = await other.encrypt('hello');
    const e = await rejects(cipher.decrypt(jwe), 'cipher_unknown_key');
    assert.match(e.message, new RegExp(other.activeKid()));
    assert.ok(!e.message.includes('hello'));
  });

  it('after rotation: old values still decrypt, new values use the new kid; removing the old key ends that', async () => {
    const oldJwe = await cipher.encrypt('written before rotation');
    const { set: rotated, kid } = rotate(set);
    const next = await createFieldCipher(rotated);
    assert.equal(next.activeKid(), kid);
    assert.notEqual(kid, cipher.activeKid());
    assert.equal(await next.decrypt(oldJwe), 'written before rotation');
    const newJwe = await next.encrypt('after');
    assert.equal(next.kidOf(newJwe), kid);
    await rejects(cipher.decrypt(newJwe), 'cipher_unknown_key');

    const trimmed = await createFieldCipher(removeKey(rotated, set.keys[0]!.kid));
    assert.equal(await trimmed.decrypt(newJwe), 'after');
    await rejects(trimmed.decrypt(oldJwe), 'cipher_unknown_key');
  });
});
