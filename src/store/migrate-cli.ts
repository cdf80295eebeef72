import { loadConfig } from '../config/load-config.js';
import { openStore } from './data-source.js';

/** `npm run migrate`: apply pending migrations to the configured database and exit. */
const config = loadConfig();
const ds = await openStore(config.database, { migrate: false });
const applied = await ds.runMigrations({ transaction: 'each' });
console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
await ds.destroy();
