/**
 * decide(resource, context, rules) → Decision: pure and deterministic (the clock is ctx.now).
 *
 * Rules either grant (release) or restrict. Every matching rule is collected; the most
 * restrictive active restriction wins, in the order of RANK below. A restriction whose time has
 * passed (a delay's end, a hold's maximum) is no longer active. An explicit clinician release
 * lifts holds, delays and masks but never hide_from_proxy; a newer clinician hold withholds
 * anything. With no restriction, a matching grant (or the clinician's release) releases; with
 * neither, the resource is held (deny by default).
 */
import type { Calendar } from './calendar.js';
import { UNKNOWN, YES, endOf, type EvalEnv } from './conditions.js';
import { defaultNote, explain, fill, type ExplanationKey, type Noun } from './explain.js';
import { classify, type ResourceFacts } from './facts.js';
import type { CompiledRule, RuleSet } from './load-rules.js';
import type { Action, Basis, ClinicianAction, Decision, Locale, PolicyContext } from './types.js';

/** Most restrictive first: absent > withhold > hold > mask > delay > release_with_note > release. */
export const RANK: Record<Action, number> = {
  hide_from_proxy: 6,
  withhold: 5,
  hold_until_released: 4,
  mask: 3,
  delay: 2,
  release_with_note: 1,
  release: 0,
  notify_clinician: 0,
};

/** Restrictions a clinician's explicit release lifts (45 CFR 171: the hold existed for that review). */
const LIFTED_BY_RELEASE = new Set<Action>(['withhold', 'hold_until_released', 'mask', 'delay']);

interface Effect {
  action: Action;
  ruleId: string;
  order: number;
  basis?: Basis;
  releaseAt?: number;
  key: ExplanationKey;
  rule?: CompiledRule;
}

const VIEWER_KINDS = new Set(['patient', 'proxy', 'staff']);

function nounOf(type: string | undefined): Noun {
  return type === 'DocumentReference' ? 'document' : 'result';
}

export function failClosed(locale: Locale, noun: Noun, ruleId = 'fail-closed', matched: string[] = []): Decision {
  return {
    visible: false,
    presence: 'pending',
    action: 'hold_until_released',
    ruleId,
    // Unreadable data is held as possibly wrong (171.201(b)); default-deny is a gap in the rules.
    ...(ruleId === 'fail-closed' ? { basis: 'PREVENTING_HARM_DATA_ERROR' as const } : {}),
    explanation: explain('unchecked', locale, noun),
    matched,
  };
}

/**
 * The latest clinician action on this resource at `now`. A release older than `issued` was of an
 * earlier version (the result has been amended since) and does not count; at the same instant a
 * hold beats a release.
 */
export function clinicianState(ref: string, issued: number | null, now: number, actions: readonly ClinicianAction[]): 'released' | 'held' | 'none' {
  let latest: ClinicianAction | undefined;
  let latestAt = -Infinity;
  for (const a of actions) {
    if (a.resourceRef !== ref) continue;
    const t = a.at instanceof Date ? a.at.getTime() : NaN;
    if (!(t <= now)) continue;
    if (a.action === 'release' && issued !== null && t < issued) continue;
    if (t > latestAt || (t === latestAt && a.action === 'hold')) {
      latest = a;
      latestAt = t;
    }
  }
  return latest ? (latest.action === 'hold' ? 'held' : 'released') : 'none';
}

const BIRTH_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** Possible ages at `now` on the clinic's calendar; a partial birthDate gives a range. */
export function ageRange(birthDate: string | undefined, now: Date, calendar: Calendar): [number, number] | null {
  const m = birthDate ? BIRTH_DATE.exec(birthDate) : null;
  if (!m) return null;
  const [ty, tm, td] = calendar.localDate(now);
  const by = Number(m[1]);
  const years = ty - by;
  if (m[2] === undefined) return years >= 1 ? [years - 1, years] : years === 0 ? [0, 0] : null;
  const bm = Number(m[2]);
  if (bm < 1 || bm > 12) return null;
  if (m[3] === undefined) {
    if (tm > bm) return [years, years];
    if (tm < bm) return [years - 1, years - 1];
    return [years - 1, years];
  }
  const bd = Number(m[3]);
  if (bd < 1 || bd > 31) return null;
  const age = tm > bm || (tm === bm && td >= bd) ? years : years - 1;
  return age >= 0 ? [age, age] : null;
}

function stricter(a: Effect, b: Effect): boolean {
  const ra = RANK[a.action];
  const rb = RANK[b.action];
  if (ra !== rb) return ra > rb;
  const ea = a.releaseAt ?? Infinity;
  const eb = b.releaseAt ?? Infinity;
  if (ea !== eb) return ea > eb;
  return a.order < b.order;
}

export function decide(resource: unknown, ctx: PolicyContext, rules: RuleSet): Decision {
  const locale: Locale = ctx?.locale === 'es' ? 'es' : 'en';
  const classified = classify(resource);
  const typeGuess = (resource as { resourceType?: unknown } | null)?.resourceType;
  if (!classified.ok) return failClosed(locale, nounOf(typeof typeGuess === 'string' ? typeGuess : undefined));
  const facts = classified.facts;
  const noun = nounOf(facts.type);
  const now = ctx?.now instanceof Date ? ctx.now.getTime() : NaN;
  if (Number.isNaN(now) || !VIEWER_KINDS.has(ctx.viewer?.kind)) return failClosed(locale, noun);
  return decideFacts(facts, ctx, rules, now, locale, noun);
}

/** The patient's age range, worked out once per context (one call decides a whole record). */
const agesByPatient = new WeakMap<object, { now: number; calendar: Calendar; birthDate: string | undefined; age: [number, number] | null }>();

function patientAge(ctx: PolicyContext, now: number, calendar: Calendar): [number, number] | null {
  const patient = ctx.patient;
  if (!patient) return null;
  const known = agesByPatient.get(patient);
  if (known && known.now === now && known.calendar === calendar && known.birthDate === patient.birthDate) return known.age;
  const age = ageRange(patient.birthDate, ctx.now, calendar);
  agesByPatient.set(patient, { now, calendar, birthDate: patient.birthDate, age });
  return age;
}

function withNotify(d: Omit<Decision, 'matched' | 'notifyClinician'>, matched: string[], notify: boolean): Decision {
  return notify ? { ...d, matched, notifyClinician: true } : { ...d, matched };
}

function decideFacts(facts: ResourceFacts, ctx: PolicyContext, rules: RuleSet, now: number, locale: Locale, noun: Noun): Decision {
  const calendar = rules.calendar;
  const env: EvalEnv = {
    facts,
    ctx,
    now,
    age: patientAge(ctx, now, calendar),
    clinician: clinicianState(facts.ref, facts.issued, now, ctx.clinicianActions ?? []),
    calendar,
  };
  const isProxy = ctx.viewer.kind === 'proxy';

  const matched: string[] = [];
  const restrictions: Effect[] = [];
  const notes: Effect[] = [];
  let grant: CompiledRule | undefined;
  let notify = false;

  for (const rule of rules.rules) {
    const { action } = rule.then;
    const r = rule.test(env);
    // Missing facts can only make the decision stricter: "unknown" matches any restricting rule.
    if (!(r === YES || (r === UNKNOWN && action !== 'release'))) continue;
    matched.push(rule.id);
    if (rule.usesIssued && facts.issued === null) return failClosed(locale, noun, 'fail-closed', matched);
    if (rule.then.notifyClinician || action === 'notify_clinician') notify = true;
    const base = { ruleId: rule.id, order: rule.order, basis: rule.then.basis, rule };
    switch (action) {
      case 'release':
        grant ??= rule;
        break;
      case 'notify_clinician':
        break;
      case 'release_with_note':
        notes.push({ ...base, action, key: 'release' });
        break;
      case 'hide_from_proxy':
        if (isProxy) restrictions.push({ ...base, action, key: 'absent' });
        break;
      case 'withhold':
        restrictions.push({ ...base, action, key: 'withhold' });
        break;
      case 'mask':
        restrictions.push({ ...base, action, key: 'mask' });
        break;
      case 'delay': {
        const releaseAt = endOf(facts.issued!, rule.then.after!, calendar);
        if (now < releaseAt) restrictions.push({ ...base, action, key: 'delay', releaseAt });
        break;
      }
      case 'hold_until_released': {
        const max = rule.then.maximum;
        if (!max) {
          restrictions.push({ ...base, action, key: 'hold' });
          break;
        }
        const releaseAt = endOf(facts.issued!, max, calendar);
        if (now < releaseAt) restrictions.push({ ...base, action, key: 'hold-max', releaseAt });
        break;
      }
    }
  }

  if (env.clinician === 'held') {
    restrictions.push({ action: 'withhold', ruleId: 'clinician-hold', order: -1, basis: 'PREVENTING_HARM_INDIVIDUAL', key: 'withhold' });
  }
  let active = restrictions;
  let lifted = false;
  if (env.clinician === 'released') {
    active = restrictions.filter((e) => !LIFTED_BY_RELEASE.has(e.action));
    lifted = active.length < restrictions.length;
  }

  if (active.length > 0) {
    let win = active[0]!;
    for (const e of active) if (stricter(e, win)) win = e;
    const date = win.releaseAt === undefined ? undefined : calendar.formatDate(new Date(win.releaseAt), locale);
    const tpl = win.rule?.then.explanation;
    const absent = win.action === 'hide_from_proxy';
    return withNotify({
      visible: false,
      presence: absent ? 'absent' : 'pending',
      action: win.action,
      ruleId: win.ruleId,
      ...(win.basis ? { basis: win.basis } : {}),
      ...(win.releaseAt === undefined ? {} : { releaseAt: new Date(win.releaseAt) }),
      explanation: tpl && !absent ? fill(tpl[locale], locale, noun, date) : explain(win.key, locale, noun, date),
    }, matched, notify);
  }
  if (notes.length > 0) {
    const win = notes[0]!;
    const custom = win.rule?.then.note;
    const note = custom ? fill(custom[locale], locale, noun) : defaultNote(locale, noun);
    return withNotify({
      visible: true,
      presence: 'shown',
      action: 'release_with_note',
      ruleId: win.ruleId,
      ...(win.basis ? { basis: win.basis } : {}),
      note,
      explanation: `${explain('release', locale, noun)} ${note}`,
    }, matched, notify);
  }
  if (grant || env.clinician === 'released') {
    return withNotify({
      visible: true,
      presence: 'shown',
      action: 'release',
      ruleId: lifted || !grant ? 'clinician-release' : grant.id,
      explanation: explain('release', locale, noun),
    }, matched, notify);
  }
  return withNotify(failClosed(locale, noun, 'default-deny', matched), matched, notify);
}
