import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { AppConfig } from '../config/load-config.js';
import type { Logger } from '../log.js';
import { createFieldCipher, type FieldCipher } from './field-cipher.js';
import { activeKeyOf, generateKeySet, parseKeySet, type KeySet } from './key-set.js';

export const DEV_KEY_FILE_NAME = 'encryption-keys.json';

export interface KeyRingOptions {
  /** ENCRYPTION_KEYS: the JWKS itself. */
  keysJson?: string;
  /** ENCRYPTION_KEYS_FILE: a file holding the JWKS. */
  keysFile?: string;
  production: boolean;
  /** Where the development key file lives when no key source is given outside production. */
  dataDir: string;
  logger: Logger;
}

export interface KeyRing {
  cipher: FieldCipher;
  keySet: KeySet;
  /** Where the keys came from, for start-up logs (a name or a path, never key material). */
  source: string;
}

export function keyRingOptions(config: AppConfig, logger: Logger): KeyRingOptions {
  return {
    keysJson: config.env.ENCRYPTION_KEYS,
    keysFile: config.env.ENCRYPTION_KEYS_FILE,
    production: config.production,
    dataDir: resolve(config.env.DATA_DIR),
    logger,
  };
}

/**
 * Loads the at-rest keys. In production a key source is required: a generated key would make
 * every restart on a fresh container unable to read what the last one wrote.
 */
export async function loadKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const { keysJson, keysFile, production, dataDir, logger } = options;
  if (keysJson && keysFile) {
    throw new ConfigError('environment: ENCRYPTION_KEYS and ENCRYPTION_KEYS_FILE are both set; use one');
  }
  let keySet: KeySet;
  let source: string;
  if (keysJson) {
    keySet = parseKeySet(keysJson, 'environment: ENCRYPTION_KEYS');
    source = 'ENCRYPTION_KEYS';
  } else if (keysFile) {
    keySet = readKeySetFile(keysFile, 'environment: ENCRYPTION_KEYS_FILE');
    warnIfShared(keysFile, logger);
    source = keysFile;
  } else if (production) {
    throw new ConfigError(
      'environment: ENCRYPTION_KEYS: set ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE when NODE_ENV=production (create one with `tsx src/crypto/keys-cli.ts generate`)',
    );
  } else {
    const file = join(dataDir, DEV_KEY_FILE_NAME);
    const created = ensureDevKeyFile(file);
    keySet = readKeySetFile(file, file);
    source = file;
    logger.warn(
      { kid: activeKeyOf(keySet).kid, file },
      created
        ? 'no ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE: created a development key file (not for production)'
        : 'no ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE: using the development key file (not for production)',
    );
  }
  return { cipher: await createFieldCipher(keySet), keySet, source };
}

function readKeySetFile(path: string, source: string): KeySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${source}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseKeySet(text, source === path ? path : `${source} (${path})`);
}

/** Creates the development key file once; true when this call created it. */
function ensureDevKeyFile(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { force: true });
    writeFileSync(tmp, serialise(generateKeySet()), { mode: 0o600, flag: 'wx' });
    // link() fails when the name exists: if two processes start together, one key set wins and
    // neither can read a half-written file.
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ConfigError(`cannot create the development key file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function warnIfShared(path: string, logger: Logger): void {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) logger.warn({ file: path, mode: mode.toString(8) }, 'encryption key file is readable by other users; chmod 600 it');
}

function serialise(set: KeySet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}

/** Replaces a key file atomically (write beside, then rename), readable by the owner only. */
export function writeKeySetFile(path: string, set: KeySet): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, serialise(set), { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path);
}
