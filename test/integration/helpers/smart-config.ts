import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary copy of the project's smart-config/ (for SMART_CONFIG_DIR), with the sandbox's
 * registration file rewritten by `editSandbox` when given.
 */
export function smartConfigCopy(editSandbox?: (sandboxJson: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'smart-config-'));
  cpSync(join(process.cwd(), 'smart-config'), dir, { recursive: true });
  if (editSandbox) {
    const file = join(dir, 'sandbox.json');
    writeFileSync(file, editSandbox(readFileSync(file, 'utf8')));
  }
  return dir;
}
