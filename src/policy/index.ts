export type * from './types.js';
export { ENGINE_RULE_IDS } from './types.js';
export { decide, RANK } from './decide.js';
export { applyPolicy, type PendingItem, type PolicyOutcome, type ResultSet } from './apply.js';
export { loadRules, mergeRuleOverride, RuleLoadError, type LoadOptions, type RuleSet } from './load-rules.js';
export { readRulesFile, DEFAULT_RULES_PATH } from './read-rules-file.js';
export type { RuleFile, RuleOverride, Rule, Condition } from './rule-schema.js';
export { createPolicy, type Policy } from './create-policy.js';
