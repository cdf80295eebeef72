import { buildSeed } from './seed/index.js';

/**
 * Loads the demo patients into an open FHIR server (HAPI in docker compose):
 * `FHIR_BASE=http://localhost:8080/fhir npx tsx src/sandbox/push-seed.ts`.
 */
const base = (process.env.FHIR_BASE ?? 'http://localhost:8080/fhir').replace(/\/+$/, '');
const seed = buildSeed(new Date());
for (const bundle of seed.bundles) {
  const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, body: JSON.stringify(bundle) });
  if (!res.ok) {
    console.error(`loading ${bundle.id ?? 'a bundle'} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    process.exit(1);
  }
  await res.body?.cancel();
}
console.log(`loaded ${seed.bundles.length} bundles (${seed.patients.map((p) => p.id).join(', ')}) into ${base}`);
