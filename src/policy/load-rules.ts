/**
 * Loads and checks a release rules file once, at start. Every refusal names the file, the rule
 * and the JSON path, so a clinic can fix its config; none carries PHI (rules files hold none).
 */
import { z } from 'zod';
import { createCalendar, isValidTimeZone, type Calendar } from './calendar.js';
import { compileCondition, conditionKeys, type Test } from './conditions.js';
import { isValidLoinc, LOINC_SYSTEM } from './loinc.js';
import {
  RuleFileSchema,
  RuleOverrideSchema,
  type CodeSet,
  type Rule,
  type RuleFile,
  type Then,
} from './rule-schema.js';
import { ENGINE_RULE_IDS } from './types.js';

export class RuleLoadError extends Error {
  readonly source: string;
  readonly ruleId: string | undefined;
  readonly path: string | undefined;
  constructor(source: string, problem: string, opts: { ruleId?: string; path?: string } = {}) {
    const where = [opts.ruleId ? `rule "${opts.ruleId}"` : '', opts.path ? `at ${opts.path}` : ''].filter(Boolean).join(' ');
    super(`${source}: ${where ? `${where}: ` : ''}${problem}`);
    this.name = 'RuleLoadError';
    this.source = source;
    this.ruleId = opts.ruleId;
    this.path = opts.path;
  }
}

export interface CompiledRule {
  readonly id: string;
  readonly then: Then;
  readonly test: Test;
  /** The rule reads `issued` (a time condition, a delay or a hold maximum). */
  readonly usesIssued: boolean;
  readonly order: number;
}

export interface RuleSet {
  readonly source: string;
  readonly calendar: Calendar;
  readonly rules: readonly CompiledRule[];
  /** The validated file, for merging an override onto it. */
  readonly file: RuleFile;
}

export interface LoadOptions {
  /** Reads a ValueSet file named by a code set (path relative to the rules file). */
  readValueSet?: (relativePath: string) => unknown;
}

function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

function fromZod(source: string, error: z.ZodError, input: unknown): RuleLoadError {
  const issue = error.issues[0]!;
  let ruleId: string | undefined;
  if (issue.path[0] === 'rules' && typeof issue.path[1] === 'number') {
    const raw = (input as { rules?: unknown[] }).rules?.[issue.path[1]];
    const id = (raw as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') ruleId = id.slice(0, 64);
  }
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return new RuleLoadError(source, `${issue.message}${more}`, { ruleId, path: jsonPath(issue.path) });
}

const ValueSetFile = z.looseObject({
  resourceType: z.literal('ValueSet'),
  compose: z
    .looseObject({
      include: z.array(
        z.strictObject({
          system: z.string().min(1),
          version: z.string().optional(),
          concept: z.array(z.looseObject({ code: z.string().min(1) })).min(1),
        }),
      ),
    })
    .optional(),
  expansion: z
    .looseObject({ contains: z.array(z.looseObject({ system: z.string().min(1), code: z.string().min(1) })).optional() })
    .optional(),
});

function resolveCodeSet(source: string, name: string, set: CodeSet, options: LoadOptions): Set<string> {
  const keys = new Set<string>();
  for (const c of set.loinc ?? []) keys.add(`${LOINC_SYSTEM}|${c}`);
  for (const c of set.codes ?? []) keys.add(`${c.system}|${c.code}`);
  if (set.valueSet) {
    const path = `codeSets.${name}.valueSet`;
    if (!options.readValueSet) throw new RuleLoadError(source, `cannot read ValueSet "${set.valueSet}" here`, { path });
    let raw: unknown;
    try {
      raw = options.readValueSet(set.valueSet);
    } catch (e) {
      throw new RuleLoadError(source, `cannot read ValueSet "${set.valueSet}": ${(e as Error).message}`, { path });
    }
    // Only enumerated concepts: a filter cannot be expanded offline, and a set we cannot
    // enumerate would silently protect nothing.
    const vs = ValueSetFile.safeParse(raw);
    if (!vs.success) {
      const issue = vs.error.issues[0]!;
      throw new RuleLoadError(source, `ValueSet "${set.valueSet}" at ${jsonPath(issue.path)}: ${issue.message}`, { path });
    }
    const found: { system: string; code: string }[] = [
      ...(vs.data.compose?.include ?? []).flatMap((inc) => inc.concept.map((c) => ({ system: inc.system, code: c.code }))),
      ...(vs.data.expansion?.contains ?? []),
    ];
    if (found.length === 0) throw new RuleLoadError(source, `ValueSet "${set.valueSet}" lists no codes`, { path });
    for (const f of found) {
      if (f.system === LOINC_SYSTEM && !isValidLoinc(f.code)) {
        throw new RuleLoadError(source, `ValueSet "${set.valueSet}" has a bad LOINC code "${f.code.slice(0, 20)}"`, { path });
      }
      keys.add(`${f.system}|${f.code}`);
    }
  }
  return keys;
}

const TIME_ACTIONS = new Set(['hold_until_released', 'delay', 'withhold', 'mask']);
/** Conditions that single out individual results rather than a whole class of them. */
const SPECIFIC_KEYS = ['code', 'codeSet', 'label', 'clinician', 'preference'];

/** Legal guardrails from RELEASE-POLICY.md; returns the problem, or null. */
function guardrail(rule: Rule): { problem: string; path: string } | null {
  const { action, basis } = rule.then;
  const keys = conditionKeys(rule.when);
  const specific = SPECIFIC_KEYS.some((k) => keys.has(k));
  if (action !== 'release' && !basis) {
    return {
      path: 'then.basis',
      problem:
        TIME_ACTIONS.has(action) && !specific
          ? `${action} of a whole category (or of every result) without a legal basis is information blocking (45 CFR 171)`
          : `${action} needs a legal basis (one of the 45 CFR 171 exceptions)`,
    };
  }
  if (action === 'withhold') {
    if (!rule.when.clinician?.every((c) => c === 'held')) {
      return { path: 'when.clinician', problem: 'withhold is only for a clinician\'s individual determination: require clinician ["held"]' };
    }
    if (basis !== 'PREVENTING_HARM_INDIVIDUAL' && basis !== 'PROXY_SUBSTANTIAL_HARM') {
      return { path: 'then.basis', problem: 'withhold needs PREVENTING_HARM_INDIVIDUAL or PROXY_SUBSTANTIAL_HARM' };
    }
  }
  if (action === 'hide_from_proxy') {
    if (basis !== 'MINOR_CONFIDENTIAL' && basis !== 'PROXY_SUBSTANTIAL_HARM') {
      return { path: 'then.basis', problem: 'hide_from_proxy needs MINOR_CONFIDENTIAL or PROXY_SUBSTANTIAL_HARM' };
    }
    const age = rule.when.patientAge;
    if (basis === 'MINOR_CONFIDENTIAL' && (age?.max === undefined || age.max > 17)) {
      return { path: 'when.patientAge', problem: 'MINOR_CONFIDENTIAL applies to minors only: set patientAge.max to 17 or less' };
    }
  }
  if (TIME_ACTIONS.has(action) || action === 'hide_from_proxy') {
    if (basis === 'PREVENTING_HARM_INDIVIDUAL' && !keys.has('label') && !keys.has('clinician')) {
      return { path: 'when', problem: 'PREVENTING_HARM_INDIVIDUAL needs an individual determination: a security label or a clinician action' };
    }
    if (basis === 'PRIVACY_PATIENT_REQUEST' && !keys.has('preference')) {
      return { path: 'when.preference', problem: 'PRIVACY_PATIENT_REQUEST must depend on the patient\'s own preference' };
    }
  }
  if (action === 'delay' && !rule.then.after) return { path: 'then.after', problem: 'delay needs "after" (hours or businessDays)' };
  if (action !== 'delay' && rule.then.after) return { path: 'then.after', problem: '"after" is only for delay' };
  if (action !== 'hold_until_released' && rule.then.maximum) {
    return { path: 'then.maximum', problem: '"maximum" is only for hold_until_released' };
  }
  if (action !== 'release_with_note' && rule.then.note) return { path: 'then.note', problem: '"note" is only for release_with_note' };
  const dated = action === 'delay' || (action === 'hold_until_released' && rule.then.maximum !== undefined);
  const tpl = rule.then.explanation;
  if (tpl && !dated && (tpl.en.includes('{date}') || tpl.es.includes('{date}'))) {
    return { path: 'then.explanation', problem: '{date} is only known for delay or a hold with a maximum' };
  }
  if (tpl && dated && !(tpl.en.includes('{date}') && tpl.es.includes('{date}'))) {
    return { path: 'then.explanation', problem: 'name the release date: include {date} in en and es' };
  }
  return null;
}

export function loadRules(json: unknown, source: string, options: LoadOptions = {}): RuleSet {
  const parsed = RuleFileSchema.safeParse(json);
  if (!parsed.success) throw fromZod(source, parsed.error, json);
  const file = parsed.data;

  if (!isValidTimeZone(file.calendar.timeZone)) {
    throw new RuleLoadError(source, `unknown time zone "${file.calendar.timeZone}"`, { path: 'calendar.timeZone' });
  }
  const codeSets = new Map<string, Set<string>>();
  for (const [name, set] of Object.entries(file.codeSets)) codeSets.set(name, resolveCodeSet(source, name, set, options));

  const seen = new Set<string>();
  const rules = file.rules.map((rule, order): CompiledRule => {
    const path = (p: string) => `rules[${order}].${p}`;
    if (seen.has(rule.id)) throw new RuleLoadError(source, 'duplicate rule id', { ruleId: rule.id, path: path('id') });
    if ((ENGINE_RULE_IDS as readonly string[]).includes(rule.id)) {
      throw new RuleLoadError(source, 'this id is reserved for the engine', { ruleId: rule.id, path: path('id') });
    }
    seen.add(rule.id);
    const bad = guardrail(rule);
    if (bad) throw new RuleLoadError(source, bad.problem, { ruleId: rule.id, path: path(bad.path) });
    let test: Test;
    try {
      test = compileCondition(rule.when, codeSets);
    } catch (e) {
      throw new RuleLoadError(source, (e as Error).message, { ruleId: rule.id, path: path('when') });
    }
    const a = rule.then.action;
    const usesIssued =
      conditionKeys(rule.when).has('sinceIssued') || a === 'delay' || (a === 'hold_until_released' && !!rule.then.maximum);
    return { id: rule.id, then: rule.then, test, usesIssued, order };
  });

  return { source, calendar: createCalendar(file.calendar), rules, file };
}

/**
 * Merges a per-EHR override onto a base rules file: a rule whose id exists replaces it in place,
 * a new id is appended; code sets likewise; holidays are added. Load the result with loadRules,
 * which applies every guardrail to the merged set.
 */
export function mergeRuleOverride(base: unknown, override: unknown, sources: { base: string; override: string }): RuleFile {
  const b = RuleFileSchema.safeParse(base);
  if (!b.success) throw fromZod(sources.base, b.error, base);
  const o = RuleOverrideSchema.safeParse(override);
  if (!o.success) throw fromZod(sources.override, o.error, override);
  const rules = [...b.data.rules];
  for (const r of o.data.rules ?? []) {
    const i = rules.findIndex((x) => x.id === r.id);
    if (i >= 0) rules[i] = r;
    else rules.push(r);
  }
  return {
    ...b.data,
    calendar: {
      timeZone: o.data.timeZone ?? b.data.calendar.timeZone,
      holidays: [...new Set([...b.data.calendar.holidays, ...(o.data.holidays ?? [])])],
    },
    codeSets: { ...b.data.codeSets, ...(o.data.codeSets ?? {}) },
    rules,
  };
}
