/**
 * Compiles a rule's `when` into a three-valued test: yes, no, or unknown (a fact the rule needs
 * is missing, e.g. no birthDate). The engine treats "unknown" as a match for any rule that
 * restricts, so missing data can only make a decision stricter.
 */
import type { Calendar } from './calendar.js';
import type { ResourceFacts } from './facts.js';
import { LOINC_SYSTEM } from './loinc.js';
import type { Condition, Duration } from './rule-schema.js';
import type { PolicyContext } from './types.js';

export const YES = 1;
export const NO = 0;
export const UNKNOWN = 2;
export type Tri = typeof YES | typeof NO | typeof UNKNOWN;

export interface EvalEnv {
  facts: ResourceFacts;
  ctx: PolicyContext;
  now: number;
  /** Patient's possible age range at `now` (a partial birthDate gives two ages); null if unknown. */
  age: [number, number] | null;
  clinician: 'released' | 'held' | 'none';
  calendar: Calendar;
}

export type Test = (env: EvalEnv) => Tri;

export function endOf(from: number, d: Duration, calendar: Calendar): number {
  return 'hours' in d ? from + d.hours * 3_600_000 : calendar.addBusinessDays(new Date(from), d.businessDays).getTime();
}

function and(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  return (env) => {
    let out: Tri = YES;
    for (const t of tests) {
      const r = t(env);
      if (r === NO) return NO;
      if (r === UNKNOWN) out = UNKNOWN;
    }
    return out;
  };
}

function or(tests: Test[]): Test {
  return (env) => {
    let out: Tri = NO;
    for (const t of tests) {
      const r = t(env);
      if (r === YES) return YES;
      if (r === UNKNOWN) out = UNKNOWN;
    }
    return out;
  };
}

const not = (t: Test): Test => (env) => {
  const r = t(env);
  return r === UNKNOWN ? UNKNOWN : r === YES ? NO : YES;
};

const anyIn = (want: Set<string>, have: Iterable<string>): Tri => {
  for (const h of have) if (want.has(h)) return YES;
  return NO;
};

/** `codeSets` maps a set name to its 'system|code' keys; an unknown name throws (caught by the loader). */
export function compileCondition(c: Condition, codeSets: ReadonlyMap<string, ReadonlySet<string>>): Test {
  const tests: Test[] = [];
  if (c.all) tests.push(and(c.all.map((x) => compileCondition(x, codeSets))));
  if (c.any) tests.push(or(c.any.map((x) => compileCondition(x, codeSets))));
  if (c.not) tests.push(not(compileCondition(c.not, codeSets)));
  if (c.resourceType) {
    const want = new Set<string>(c.resourceType);
    tests.push((e) => (want.has(e.facts.type) ? YES : NO));
  }
  if (c.code || c.codeSet) {
    const want = new Set<string>((c.code ?? []).map((x) => `${LOINC_SYSTEM}|${x}`));
    for (const name of c.codeSet ?? []) {
      const set = codeSets.get(name);
      if (!set) throw new Error(`unknown code set "${name}"`);
      for (const k of set) want.add(k);
    }
    tests.push((e) => anyIn(want, e.facts.codes));
  }
  if (c.category) {
    const want = new Set<string>(c.category);
    tests.push((e) => anyIn(want, e.facts.categories));
  }
  if (c.label) {
    const want = new Set<string>(c.label);
    tests.push((e) => anyIn(want, e.facts.labels));
  }
  if (c.status) {
    const want = new Set<string>(c.status);
    tests.push((e) => anyIn(want, e.facts.statuses));
  }
  if (c.interpretation) {
    const want = new Set<string>(c.interpretation);
    tests.push((e) => anyIn(want, e.facts.interpretations));
  }
  if (c.patientAge) {
    const min = c.patientAge.min ?? 0;
    const max = c.patientAge.max ?? Infinity;
    tests.push((e) => {
      if (!e.age) return UNKNOWN;
      const [lo, hi] = e.age;
      if (lo >= min && hi <= max) return YES;
      if (hi < min || lo > max) return NO;
      return UNKNOWN;
    });
  }
  if (c.jurisdiction) {
    const want = new Set<string>(c.jurisdiction);
    tests.push((e) => {
      const s = e.ctx.patient.state;
      return s ? (want.has(s.toUpperCase()) ? YES : NO) : UNKNOWN;
    });
  }
  if (c.viewer) {
    const want = new Set<string>(c.viewer);
    tests.push((e) => (want.has(e.ctx.viewer.kind) ? YES : NO));
  }
  if (c.relationship) {
    const want = new Set(c.relationship.map((r) => r.toLowerCase()));
    tests.push((e) => {
      if (e.ctx.viewer.kind !== 'proxy') return NO;
      const r = e.ctx.viewer.relationship;
      return r ? (want.has(r.toLowerCase()) ? YES : NO) : UNKNOWN;
    });
  }
  if (c.sinceIssued) {
    const { atLeast, lessThan } = c.sinceIssued;
    tests.push((e) => {
      const issued = e.facts.issued;
      if (issued === null) return UNKNOWN;
      if (atLeast && e.now < endOf(issued, atLeast, e.calendar)) return NO;
      if (lessThan && e.now >= endOf(issued, lessThan, e.calendar)) return NO;
      return YES;
    });
  }
  if (c.clinician) {
    const want = new Set<string>(c.clinician);
    tests.push((e) => (want.has(e.clinician) ? YES : NO));
  }
  if (c.preference) {
    const entries = Object.entries(c.preference) as [keyof PolicyContext['preferences'], boolean][];
    tests.push((e) => (entries.every(([k, v]) => (e.ctx.preferences[k] ?? false) === v) ? YES : NO));
  }
  return tests.length === 0 ? () => YES : and(tests);
}

/** Every condition key used anywhere in the tree (for the loader's guardrails). */
export function conditionKeys(c: Condition, into = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    if (k === 'all' || k === 'any') for (const x of v as Condition[]) conditionKeys(x, into);
    else if (k === 'not') conditionKeys(v as Condition, into);
    else into.add(k);
  }
  return into;
}
