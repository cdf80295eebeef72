import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal } from '../helpers/test-portal.js';
import { smartConfigCopy } from '../helpers/smart-config.js';

/** A copy of smart-config whose sandbox registration authenticates with `clientAuth`. */
function configWith(clientAuth: unknown): string {
  return smartConfigCopy((text) => {
    const reg = JSON.parse(text);
    return JSON.stringify({ ...reg, auth: { ...reg.auth, clientAuth } });
  });
}

async function privateJwks(...algs: ('ES384' | 'RS384')[]): Promise<string> {
  const keys = [];
  for (const [i, alg] of algs.entries()) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), kid: `key-${i + 1}-${alg}`, alg });
  }
  return JSON.stringify({ keys });
}

describe('client authentication to the EHR, per registration (sandbox EHR, real HTTP)', function () {
  this.timeout(120_000);

  for (const alg of ['ES384', 'RS384'] as const) {
    it(`private_key_jwt with ${alg}: signs in, and publishes only public keys`, async () => {
      const jwks = await privateJwks(alg, alg === 'ES384' ? 'RS384' : 'ES384');
      const portal = await startTestPortal({ env: { SMART_CONFIG_DIR: configWith({ method: 'private_key_jwt', privateJwks: { env: 'TEST_PRIVATE_JWKS' }, alg }), TEST_PRIVATE_JWKS: jwks } });
      try {
        const s = await new TestBrowser(portal.url).launch('maria-lopez');
        assert.equal(s.patient.id, 'maria-lopez');
        const published = (await (await fetch(`${portal.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
        assert.equal(published.keys.length, 2, 'every key stays published (rotation by kid)');
        for (const k of published.keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[secret], undefined, `public JWKS carries ${secret}`);
      } finally {
        await portal.stop();
      }
    });
  }

  it('client_secret_post with the secret taken from the environment', async () => {
    const portal = await startTestPortal({ env: { SMART_CONFIG_DIR: configWith({ method: 'client_secret_post', secret: { env: 'TEST_CLIENT_SECRET' } }), TEST_CLIENT_SECRET: 'a-long-test-secret-0123456789' } });
    try {
      assert.equal((await new TestBrowser(portal.url).launch('james-carter')).patient.id, 'james-carter');
    } finally {
      await portal.stop();
    }
  });
});
