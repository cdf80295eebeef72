import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { createFieldCipher, type FieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { SessionStore } from '../../../src/smart/sessions.js';
import { freshDatabase } from '../audit/helpers.js';

const LIMITS = { idleMs: 15 * 60_000, maxMs: 8 * 3_600_000 };

describe('session store on PostgreSQL, two nodes', function () {
  this.timeout(30_000);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let a: DataSource;
  let b: DataSource;
  let cipher: FieldCipher;
  before(async () => {
    db = await freshDatabase('sessions');
    [a, b] = [await db.open(), await db.open()];
    cipher = await createFieldCipher(generateKeySet());
  });
  after(async () => db.drop());

  const newSession = (store: SessionStore) =>
    store.create({
      ehrId: 'sandbox',
      patientId: 'p-1',
      viewer: { kind: 'patient', id: 'p-1' },
      scopes: 'launch/patient patient/*.rs',
      secrets: { accessToken: 'access-1', refreshToken: 'refresh-1', needPatientBanner: false },
      accessExpiresAt: null,
    });

  it('gives each lookup its own copy of the secrets', async () => {
    const nodeA = new SessionStore(a, cipher, LIMITS);
    const { cookieValue } = await newSession(nodeA);
    const first = await nodeA.lookup(cookieValue);
    assert.equal(first.status, 'active');
    if (first.status !== 'active') return;
    first.session.secrets.accessToken = 'changed by a caller';
    const second = await nodeA.lookup(cookieValue);
    assert.equal(second.status === 'active' && second.session.secrets.accessToken, 'access-1');
  });

  it('sees tokens another node refreshed, and a sign-out on another node', async () => {
    const nodeA = new SessionStore(a, cipher, LIMITS);
    const nodeB = new SessionStore(b, cipher, LIMITS);
    const { cookieValue } = await newSession(nodeA);
    const onA = await nodeA.lookup(cookieValue);
    assert.equal(onA.status === 'active' && onA.session.secrets.accessToken, 'access-1');

    const onB = await nodeB.lookup(cookieValue);
    assert.equal(onB.status, 'active');
    if (onB.status !== 'active') return;
    await nodeB.saveTokens(onB.session, { accessToken: 'access-2', refreshToken: 'refresh-2', accessExpiresAt: null });
    const again = await nodeA.lookup(cookieValue);
    assert.equal(again.status === 'active' && again.session.secrets.accessToken, 'access-2');
    assert.equal(again.status === 'active' && again.session.secrets.refreshToken, 'refresh-2');

    await nodeB.end(onB.session.key, 'logout');
    assert.deepEqual(await nodeA.lookup(cookieValue), { status: 'ended' });
  });
});
