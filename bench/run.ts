/**
 * `npm run bench`: the portal views bench (adapter vs raw FHIR vs naive, bench/portal-views.ts).
 * `npm run bench -- policy` runs the release-policy bench (bench/policy.ts) instead; `all` runs both.
 * Prints figures; asserts nothing.
 */
import { runViewsBench } from './portal-views.js';

const which = process.argv[2] ?? 'views';
if (which === 'views' || which === 'all') await runViewsBench();
if (which === 'policy' || which === 'all') await import('./policy.js');
if (!['views', 'policy', 'all'].includes(which)) {
  console.log('usage: npm run bench [-- views|policy|all]');
  process.exitCode = 2;
}
