import { exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import type { EhrRegistration } from '../config/registration.js';
import type { SandboxClient } from '../sandbox/types.js';
import type { BackendKey } from './backend-client.js';

/**
 * The built-in sandbox's Backend Services client: an ES384 key pair made in memory at start; the
 * sandbox learns the public half, the private half signs the client assertion.
 */
export async function sandboxBackendClient(reg: EhrRegistration): Promise<{ key: BackendKey; client: SandboxClient }> {
  const clientId = reg.changeDetection.backendClientId ?? `${reg.auth.type === 'smart' ? reg.auth.clientId : reg.id}-backend`;
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: false });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  return {
    key: { clientId, alg: 'ES384', kid, key: privateKey },
    client: { clientId, jwks: { keys: [jwk as JsonWebKey] }, tokenEndpointAuthMethod: 'private_key_jwt', grantTypes: ['client_credentials'], redirectUris: [] },
  };
}
