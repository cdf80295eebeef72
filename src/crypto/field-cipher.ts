import jose from 'node-jose';
import { AppError } from '../http/errors.js';
import { activeKeyOf, type KeySet } from './key-set.js';

/** Field encryption at rest: the only crypto API the rest of the app uses. */
export interface FieldCipher {
  /** Compact JWE (RFC 7516 §7.1): alg A256KW under the active key, enc A256GCM, kid in the protected header. */
  encrypt(plain: string): Promise<string>;
  decrypt(jwe: string): Promise<string>;
  encryptJson(value: unknown): Promise<string>;
  decryptJson<T>(jwe: string): Promise<T>;
  activeKid(): string;
  /** The kid from the protected header, without decrypting. */
  kidOf(jwe: string): string;
}

export type CipherErrorCode = 'cipher_malformed' | 'cipher_unknown_key' | 'cipher_rejected';

/** A value that cannot be decrypted. Messages name the kid at most, never content. */
export class CipherError extends AppError {
  constructor(code: CipherErrorCode, message: string) {
    super(500, code, message, { expose: false });
    this.name = 'CipherError';
  }
}

const ALG = 'A256KW';
const ENC = 'A256GCM';

function headerOf(jwe: string): { alg?: unknown; enc?: unknown; kid?: unknown; zip?: unknown } {
  const parts = typeof jwe === 'string' ? jwe.split('.') : [];
  if (parts.length !== 5 || parts.some((p, i) => i !== 1 && p.length === 0)) {
    throw new CipherError('cipher_malformed', 'encrypted value is not a compact JWE');
  }
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (header && typeof header === 'object' && !Array.isArray(header)) return header;
  } catch {
    // fall through: reported below without echoing the input
  }
  throw new CipherError('cipher_malformed', 'encrypted value has an unreadable protected header');
}

/** Builds the cipher over a validated key set (see key-set.ts for which key is active). */
export async function createFieldCipher(set: KeySet): Promise<FieldCipher> {
  const store = jose.JWK.createKeyStore();
  const keys = new Map<string, jose.JWK.Key>();
  for (const k of set.keys) {
    keys.set(k.kid, await store.add({ kty: 'oct', kid: k.kid, k: k.k, use: 'enc', alg: ALG }));
  }
  const activeKid = activeKeyOf(set).kid;
  const active = keys.get(activeKid)!;

  const kidOf = (jwe: string): string => {
    const { kid } = headerOf(jwe);
    if (typeof kid !== 'string' || kid.length === 0) throw new CipherError('cipher_malformed', 'encrypted value has no kid');
    return kid;
  };

  const encrypt = async (plain: string): Promise<string> =>
    jose.JWE.createEncrypt({ format: 'compact', contentAlg: ENC, fields: { alg: ALG, kid: activeKid } }, active)
      .update(Buffer.from(plain, 'utf8'))
      .final();

  const decrypt = async (jwe: string): Promise<string> => {
    const header = headerOf(jwe);
    const kid = kidOf(jwe);
    // Pin the algorithms: a header naming "dir", another wrap or a compression step is refused
    // rather than negotiated (we never write those).
    if (header.alg !== ALG || header.enc !== ENC || header.zip !== undefined) {
      throw new CipherError('cipher_rejected', `encrypted value (kid ${kid}) uses an algorithm this app does not write`);
    }
    const key = keys.get(kid);
    if (!key) throw new CipherError('cipher_unknown_key', `no key with kid ${kid} in the key ring`);
    try {
      const result = await jose.JWE.createDecrypt(key, { algorithms: [ALG, ENC] }).decrypt(jwe);
      return result.plaintext.toString('utf8');
    } catch {
      throw new CipherError('cipher_rejected', `encrypted value (kid ${kid}) failed authentication`);
    }
  };

  return {
    encrypt,
    decrypt,
    encryptJson: async (value) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError('encryptJson: value has no JSON form');
      return encrypt(json);
    },
    decryptJson: async <T>(jwe: string) => JSON.parse(await decrypt(jwe)) as T,
    activeKid: () => activeKid,
    kidOf,
  };
}
