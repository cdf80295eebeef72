import { randomBytes } from 'node:crypto';
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
/** A256GCM's key and nonce sizes (RFC 7518 §5.3). */
const CEK_BYTES = 32;
const IV_BYTES = 12;

/** node-jose reads a caller's content key from `cek`; its typings leave that option out. */
type EncryptOptions = jose.JWE.EncryptOptions & { cek: { kty: 'oct'; alg: string; k: string } };

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

  // A fresh content key and IV for every value, from Node's CSPRNG. Left to itself node-jose draws
  // them from its JavaScript PRNG, which more than doubles the cost of each encryption.
  const encrypt = async (plain: string): Promise<string> => {
    const options: EncryptOptions = {
      format: 'compact',
      fields: { alg: ALG, enc: ENC, kid: activeKid },
      cek: { kty: 'oct', alg: ENC, k: randomBytes(CEK_BYTES).toString('base64url') },
      iv: randomBytes(IV_BYTES),
    };
    return jose.JWE.createEncrypt(options, active).update(Buffer.from(plain, 'utf8')).final();
  };

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
