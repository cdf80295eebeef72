import { loadConfig } from '../config/load-config.js';
import { keyRingOptions, loadKeyRing } from '../crypto/key-ring.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/data-source.js';
import { AuditLog } from './audit-log.js';

/**
 * `npm run audit:verify`: checks the whole audit chain; exit 1 when broken. The printed head hash
 * can be kept outside the database: a later run that shows a different hash for the same entry
 * means the chain was rewritten wholesale, which the chain alone cannot reveal.
 */
const config = loadConfig();
const logger = createLogger({ level: config.env.LOG_LEVEL });
const ring = await loadKeyRing(keyRingOptions(config, logger));
const ds = await openStore(config.database);
try {
  const result = await new AuditLog(ds, ring.cipher).verify();
  if (result.ok) {
    console.log(`audit chain intact: ${result.checked} entries (head ${result.headHash})`);
  } else {
    const p = result.problem!;
    console.log(`audit chain broken at entry #${p.seq}: ${p.kind}: ${p.detail}; the ${result.checked} entries before it are intact`);
    process.exitCode = 1;
  }
} finally {
  await ds.destroy();
}
