import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { ConfigError } from '../config/config-error.js';
import type { EhrRegistration } from '../config/registration.js';

type SmartAuth = Extract<EhrRegistration['auth'], { type: 'smart' }>;
export type PrivateJwksSource = { file: string } | { env: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** The text of a private JWKS from its file or environment variable; undefined when unreadable. */
export function readJwksText(source: PrivateJwksSource, env: NodeJS.ProcessEnv): string | undefined {
  try {
    return 'file' in source ? readFileSync(source.file, 'utf8') : env[source.env];
  } catch {
    return undefined;
  }
}

/** A key's algorithm, defaulting by key type as SMART's asymmetric auth does (EC → ES384, else RS384). */
export const keyAlg = (k: JWK): string => k.alg ?? (k.kty === 'EC' ? 'ES384' : 'RS384');

/** private_key_jwt client authentication; SMART asks for typ=JWT in the assertion header. */
export function smartKeyJwt(key: CryptoKey, kid: string): oidc.ClientAuth {
  return oidc.PrivateKeyJwt(
    { key, kid },
    {
      [oidc.modifyAssertion]: (header: Record<string, unknown>) => {
        header.typ = 'JWT';
      },
    },
  );
}

function readPrivateJwks(ehrId: string, source: PrivateJwksSource, env: NodeJS.ProcessEnv): JWK[] {
  const where = 'file' in source ? `file ${source.file}` : `environment variable ${source.env}`;
  const raw = readJwksText(source, env);
  if (!raw) throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth.privateJwks: ${where} is missing or empty`);
  let parsed: { keys?: JWK[] };
  try {
    parsed = JSON.parse(raw) as { keys?: JWK[] };
  } catch {
    throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth.privateJwks: ${where} is not JSON`);
  }
  const keys = parsed.keys ?? [];
  if (!keys.length || keys.some((k) => !k.kid || !k.d)) {
    throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth.privateJwks: ${where} must hold private keys, each with a kid`);
  }
  return keys;
}

/** The public half of a JWK, for `/.well-known/jwks.json`. */
export function publicJwk(jwk: JWK): JWK {
  const pub: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete pub[m];
  return pub as JWK;
}

export interface ClientCredentials {
  auth: oidc.ClientAuth;
  /** Public keys to publish (private_key_jwt registrations). */
  publicKeys: JWK[];
}

/**
 * Builds the client authentication for a registration. private_key_jwt signs with the first key of
 * the configured algorithm (the newest goes first in the file; older keys stay published until the
 * EHR has picked up the new one — rotation by kid).
 */
export async function clientCredentials(
  ehrId: string,
  auth: SmartAuth,
  env: NodeJS.ProcessEnv,
  generatedSecret?: string,
): Promise<ClientCredentials> {
  const ca = auth.clientAuth;
  switch (ca.method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      const secret = env[ca.secret.env];
      if (!secret) throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth.secret.env: ${ca.secret.env} is not set`);
      return { auth: ca.method === 'client_secret_basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret), publicKeys: [] };
    }
    case 'sandbox_generated': {
      if (!generatedSecret) throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth: the sandbox secret was not generated`);
      return { auth: oidc.ClientSecretBasic(generatedSecret), publicKeys: [] };
    }
    case 'private_key_jwt': {
      const keys = readPrivateJwks(ehrId, ca.privateJwks, env);
      const signing = keys.find((k) => keyAlg(k) === ca.alg);
      if (!signing) throw new ConfigError(`smart-config/${ehrId}.json: auth.clientAuth.alg: no ${ca.alg} key in the private JWKS`);
      const key = (await importJWK({ ...signing, alg: ca.alg }, ca.alg)) as CryptoKey;
      return { auth: smartKeyJwt(key, signing.kid!), publicKeys: keys.map(publicJwk) };
    }
  }
}
