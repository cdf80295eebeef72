import { readFileSync } from 'node:fs';
import { writeKeySetFile } from './key-ring.js';
import { generateKeySet, parseKeySet, removeKey, rotate } from './key-set.js';

/**
 * Key management for the at-rest key set:
 *   keys-cli generate              a new JWKS on stdout (store it as ENCRYPTION_KEYS or in ENCRYPTION_KEYS_FILE)
 *   keys-cli rotate <file>         adds a new active key to the file; older keys stay to decrypt
 *   keys-cli remove <file> <kid>   drops a retired key once `npm run rekey` reports no value under it
 */
const [command, file, kid] = process.argv.slice(2);
const usage = 'usage: keys-cli generate | rotate <file> | remove <file> <kid>';

try {
  if (command === 'generate' && !file) {
    process.stdout.write(`${JSON.stringify(generateKeySet(), null, 2)}\n`);
  } else if (command === 'rotate' && file && !kid) {
    const next = rotate(parseKeySet(readFileSync(file, 'utf8'), file));
    writeKeySetFile(file, next.set);
    console.error(`${file}: new active key ${next.kid}; run \`npm run rekey\` to re-encrypt stored values`);
  } else if (command === 'remove' && file && kid) {
    writeKeySetFile(file, removeKey(parseKeySet(readFileSync(file, 'utf8'), file), kid));
    console.error(`${file}: removed key ${kid}`);
  } else {
    console.error(usage);
    process.exitCode = 2;
  }
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
}
