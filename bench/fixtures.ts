/** The Synthea R4 records the benches run on (`SYNTHEA_DIR` overrides the shared folder). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = process.env.SYNTHEA_DIR ?? '/work/shared/fixtures/synthea-r4';

/** The largest bundle (the patient with the most resources), or undefined without fixtures. */
export function largestBundle(): string | undefined {
  if (!existsSync(FIXTURES)) return undefined;
  const files = readdirSync(FIXTURES).filter((n) => n.endsWith('.json')).map((n) => join(FIXTURES, n));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}
