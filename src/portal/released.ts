import type { Resource } from 'fhir/r4.js';
import { decide } from '../policy/index.js';
import type { Decision } from '../policy/types.js';
import type { RuleSet } from '../policy/load-rules.js';
import type { PolicyContext } from '../policy/types.js';

/**
 * The release policy over resources read for a list: those this viewer may see, the ids of those
 * withheld, and each decision by `Type/id` (for the audit). Results and documents go through
 * applyPolicy (their pending placeholders); messages and appointments are shown or not at all.
 */
export function released<T extends Resource>(resources: readonly T[], ctx: PolicyContext, rules: RuleSet): { visible: T[]; withheld: Set<string>; decisions: Map<string, Decision> } {
  const visible: T[] = [];
  const withheld = new Set<string>();
  const decisions = new Map<string, Decision>();
  for (const r of resources) {
    const d = decide(r, ctx, rules);
    decisions.set(`${r.resourceType}/${r.id ?? '#'}`, d);
    if (d.visible) visible.push(r);
    else if (r.id !== undefined) withheld.add(r.id);
  }
  return { visible, withheld, decisions };
}
