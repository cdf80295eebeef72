import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';

/**
 * The at-rest key set: a JWKS of 256-bit symmetric keys (RFC 7517 §5, kty "oct").
 *
 * Which key is active: the one marked `"status": "active"`; every other key is kept only to
 * decrypt older values. Exactly one key may be marked active. A set with a single key needs no
 * marking (that key is active), so a hand-written `{"keys":[{"kty":"oct","kid":…,"k":…}]}` works.
 * With two or more keys the marking is required: guessing "the first one" after a hand edit
 * would silently encrypt with a retired key.
 */
const b64url = /^[A-Za-z0-9_-]+$/;

export const encryptionJwkSchema = z
  .object({
    kty: z.literal('oct'),
    kid: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-" (at most 64)'),
    k: z
      .string()
      .regex(b64url, 'must be base64url')
      .refine((k) => Buffer.from(k, 'base64url').length === 32, 'must be a 256-bit key (32 bytes, base64url)'),
    use: z.literal('enc').optional(),
    alg: z.literal('A256KW').optional(),
    status: z.enum(['active', 'retired']).optional(),
  })
  .loose();

export const keySetSchema = z
  .object({ keys: z.array(encryptionJwkSchema).min(1, 'at least one key') })
  .loose()
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.keys.forEach((key, i) => {
      if (seen.has(key.kid)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'kid'], message: `duplicate kid "${key.kid}"` });
      seen.add(key.kid);
    });
    const active = set.keys.filter((k) => k.status === 'active').length;
    if (active > 1) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'more than one key has status "active"' });
    if (active === 0 && set.keys.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'with several keys, mark exactly one "status": "active"' });
    }
  });

export type EncryptionJwk = z.infer<typeof encryptionJwkSchema>;
export type KeySet = z.infer<typeof keySetSchema>;

/** Parses and validates a JWKS; `source` names where it came from (never the key material). */
export function parseKeySet(json: string, source: string): KeySet {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the input, which is key material.
    throw new ConfigError(`${source}: not valid JSON`);
  }
  const parsed = keySetSchema.safeParse(raw);
  if (!parsed.success) throw ConfigError.fromZod(source, parsed.error);
  return parsed.data;
}

export function activeKeyOf(set: KeySet): EncryptionJwk {
  return set.keys.find((k) => k.status === 'active') ?? set.keys[0]!;
}

function newKey(now: Date): EncryptionJwk {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    kty: 'oct',
    kid: `enc-${day}-${randomBytes(4).toString('hex')}`,
    k: randomBytes(32).toString('base64url'),
    use: 'enc',
    alg: 'A256KW',
    status: 'active',
  };
}

/** A new set holding one fresh active key. */
export function generateKeySet(now: Date = new Date()): KeySet {
  return { keys: [newKey(now)] };
}

/**
 * Rotation: a new active key; every existing key is kept (marked retired) so values written
 * under it still decrypt until `npm run rekey` has re-encrypted them.
 */
export function rotate(set: KeySet, now: Date = new Date()): { set: KeySet; kid: string } {
  const fresh = newKey(now);
  const kept = set.keys.map((k) => ({ ...k, status: 'retired' as const }));
  return { set: { ...set, keys: [...kept, fresh] }, kid: fresh.kid };
}

/** Removes a retired key (after a rekey no value needs it). The active key cannot be removed. */
export function removeKey(set: KeySet, kid: string): KeySet {
  if (!set.keys.some((k) => k.kid === kid)) throw new ConfigError(`key set: no key with kid "${kid}"`);
  if (activeKeyOf(set).kid === kid) throw new ConfigError(`key set: "${kid}" is the active key; rotate first`);
  return { ...set, keys: set.keys.filter((k) => k.kid !== kid) };
}
