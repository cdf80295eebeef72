import { applyPolicy, type PolicyOutcome, type ResultSet } from './apply.js';
import { decide } from './decide.js';
import type { RuleSet } from './load-rules.js';
import type { Decision, PolicyContext } from './types.js';

export interface Policy {
  readonly rules: RuleSet;
  decide(resource: unknown, ctx: PolicyContext): Decision;
  apply(resources: ResultSet, ctx: PolicyContext): PolicyOutcome;
}

/** Binds a loaded rule set once at start, so callers use decide(resource, ctx). */
export function createPolicy(rules: RuleSet): Policy {
  return {
    rules,
    decide: (resource, ctx) => decide(resource, ctx, rules),
    apply: (resources, ctx) => applyPolicy(resources, ctx, rules),
  };
}
