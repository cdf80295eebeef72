/**
 * Reads a rules file (and an optional per-EHR override) from disk at start. The only I/O in
 * policy/: the engine itself takes the loaded RuleSet.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, mergeRuleOverride, RuleLoadError, type RuleSet } from './load-rules.js';

export const DEFAULT_RULES_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../smart-config/release-rules.json');

function readJson(path: string, source: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RuleLoadError(source, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RuleLoadError(source, `not valid JSON: ${(e as Error).message}`);
  }
}

export function readRulesFile(path: string = DEFAULT_RULES_PATH, overridePath?: string): RuleSet {
  const source = basename(path);
  const dir = dirname(path);
  const readValueSet = (rel: string) => readJson(resolve(dir, rel), rel);
  const base = readJson(path, source);
  if (!overridePath) return loadRules(base, source, { readValueSet });
  const overrideSource = basename(overridePath);
  const merged = mergeRuleOverride(base, readJson(overridePath, overrideSource), { base: source, override: overrideSource });
  return loadRules(merged, `${overrideSource} over ${source}`, { readValueSet });
}
