import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/data-source.js';
import { keyRingOptions, loadKeyRing } from './key-ring.js';
import { rekey } from './rekey.js';

/** `npm run rekey`: re-encrypt every registered column under the active key; exits 1 if any value could not be read. */
const config = loadConfig();
const logger = createLogger({ level: config.env.LOG_LEVEL });
const ring = await loadKeyRing(keyRingOptions(config, logger));
const ds = await openStore(config.database);
try {
  const counts = await rekey(ds, ring.cipher);
  console.log(`active key: ${ring.cipher.activeKid()}`);
  for (const c of counts) {
    console.log(`${c.table}.${c.column}: scanned ${c.scanned}, rekeyed ${c.rekeyed}, unchanged ${c.unchanged}, raced ${c.raced}, failed ${c.failed}`);
  }
  if (counts.some((c) => c.failed > 0)) {
    console.error('some values could not be decrypted with this key ring; they were left as they are');
    process.exitCode = 1;
  }
} finally {
  await ds.destroy();
}
