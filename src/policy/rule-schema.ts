/**
 * The shape of smart-config/release-rules.json (and of a per-EHR override). Strict objects:
 * an unknown key is refused, because a misspelt condition would silently match everything.
 */
import { z } from 'zod';
import { isValidLoinc } from './loinc.js';

export const BASES = [
  'PRIVACY_STATE_LAW',
  'PRIVACY_PATIENT_REQUEST',
  'PREVENTING_HARM_INDIVIDUAL',
  'PREVENTING_HARM_DATA_ERROR',
  'PROXY_SUBSTANTIAL_HARM',
  'MINOR_CONFIDENTIAL',
] as const;

export const ACTIONS = [
  'release',
  'hold_until_released',
  'delay',
  'hide_from_proxy',
  'withhold',
  'release_with_note',
  'mask',
  'notify_clinician',
] as const;

/** v3 Confidentiality, v3 ActCode sensitivity (HL7 "InformationSensitivityPolicy") and refrain codes. */
export const SECURITY_LABELS = [
  'U', 'L', 'M', 'N', 'R', 'V',
  'HIV', 'PSY', 'ETH', 'SUD', 'GDIS', 'SEX', 'STD', 'BH', 'SDV', 'SCA', 'SICKLE', 'MST', 'TBOO', 'DEMO',
  'NOPAT', 'NORDSCLCD', 'NOREDISCLOSE',
] as const;

/** http://terminology.hl7.org/CodeSystem/v2-0074 plus the R4 observation-category and US Core
 *  DocumentReference category codes, so a rule can name either vocabulary. */
export const CATEGORIES = [
  'AU', 'BG', 'BLB', 'CG', 'CH', 'CP', 'CT', 'CTH', 'CUS', 'EC', 'EN', 'GE', 'HM', 'ICU', 'IMM', 'LAB',
  'MB', 'MCB', 'MYC', 'NMR', 'NMS', 'NRS', 'OSL', 'OT', 'OTH', 'OUS', 'PAT', 'PF', 'PHR', 'PHY', 'PT',
  'RAD', 'RC', 'RT', 'RUS', 'RX', 'SP', 'SR', 'TX', 'VR', 'VUS', 'XRC',
  'social-history', 'vital-signs', 'imaging', 'laboratory', 'procedure', 'survey', 'exam', 'therapy',
  'activity', 'clinical-note',
] as const;

/** Union of DiagnosticReport, Observation and DocumentReference (status and docStatus) codes. */
export const STATUSES = [
  'registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled',
  'entered-in-error', 'unknown', 'current', 'superseded',
] as const;

const VIEWER_KINDS = ['patient', 'proxy', 'staff'] as const;

const nonEmpty = <T extends z.ZodType>(t: T) => z.array(t).min(1);

const loinc = z.string().refine(isValidLoinc, { message: 'not a LOINC code (bad format or check digit)' });

export const DurationSchema = z.union([
  z.strictObject({ hours: z.number().int().positive().max(24 * 366) }),
  z.strictObject({ businessDays: z.number().int().positive().max(60) }),
]);
export type Duration = z.infer<typeof DurationSchema>;

const LocalisedText = z.strictObject({ en: z.string().min(1).max(500), es: z.string().min(1).max(500) });
export type LocalisedText = z.infer<typeof LocalisedText>;

export interface Condition {
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  resourceType?: string[];
  code?: string[];
  codeSet?: string[];
  category?: (typeof CATEGORIES)[number][];
  label?: (typeof SECURITY_LABELS)[number][];
  status?: (typeof STATUSES)[number][];
  interpretation?: string[];
  patientAge?: { min?: number; max?: number };
  jurisdiction?: string[];
  viewer?: (typeof VIEWER_KINDS)[number][];
  relationship?: string[];
  sinceIssued?: { atLeast?: Duration; lessThan?: Duration };
  clinician?: ('released' | 'held' | 'none')[];
  preference?: { waitForClinician?: boolean; geneticEarlyRelease?: boolean };
}

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.strictObject({
    all: nonEmpty(ConditionSchema).optional(),
    any: nonEmpty(ConditionSchema).optional(),
    not: ConditionSchema.optional(),
    resourceType: nonEmpty(z.enum(['DiagnosticReport', 'Observation', 'DocumentReference'])).optional(),
    code: nonEmpty(loinc).optional(),
    codeSet: nonEmpty(z.string().min(1)).optional(),
    category: nonEmpty(z.enum(CATEGORIES)).optional(),
    label: nonEmpty(z.enum(SECURITY_LABELS)).optional(),
    status: nonEmpty(z.enum(STATUSES)).optional(),
    interpretation: nonEmpty(z.string().regex(/^[A-Za-z<>]{1,8}$/)).optional(),
    patientAge: z
      .strictObject({ min: z.number().int().min(0).max(150).optional(), max: z.number().int().min(0).max(150).optional() })
      .refine((a) => a.min !== undefined || a.max !== undefined, { message: 'give min, max or both' })
      .refine((a) => a.min === undefined || a.max === undefined || a.min <= a.max, { message: 'min is above max' })
      .optional(),
    jurisdiction: nonEmpty(z.string().regex(/^[A-Z]{2}$/, 'a two-letter US state code')).optional(),
    viewer: nonEmpty(z.enum(VIEWER_KINDS)).optional(),
    relationship: nonEmpty(z.string().min(1)).optional(),
    sinceIssued: z
      .strictObject({ atLeast: DurationSchema.optional(), lessThan: DurationSchema.optional() })
      .refine((s) => s.atLeast !== undefined || s.lessThan !== undefined, { message: 'give atLeast, lessThan or both' })
      .optional(),
    clinician: nonEmpty(z.enum(['released', 'held', 'none'])).optional(),
    preference: z
      .strictObject({ waitForClinician: z.boolean().optional(), geneticEarlyRelease: z.boolean().optional() })
      .refine((p) => Object.keys(p).length > 0, { message: 'name a preference' })
      .optional(),
  }),
);

export const ThenSchema = z.strictObject({
  action: z.enum(ACTIONS),
  basis: z.enum(BASES).optional(),
  /** hold_until_released: auto-release this long after `issued`. */
  maximum: DurationSchema.optional(),
  /** delay: how long after `issued`. */
  after: DurationSchema.optional(),
  /** release_with_note: the words shown with the result. */
  note: LocalisedText.optional(),
  /** Replaces the default explanation; `{date}` is replaced by the release date. */
  explanation: LocalisedText.optional(),
  notifyClinician: z.boolean().optional(),
});
export type Then = z.infer<typeof ThenSchema>;

const RULE_ID = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'kebab-case id');

export const RuleSchema = z.strictObject({
  id: RULE_ID,
  description: z.string().max(500).optional(),
  when: ConditionSchema,
  then: ThenSchema,
});
export type Rule = z.infer<typeof RuleSchema>;

export const CodeSetSchema = z
  .strictObject({
    description: z.string().max(500).optional(),
    loinc: nonEmpty(loinc).optional(),
    codes: nonEmpty(z.strictObject({ system: z.url(), code: z.string().min(1) })).optional(),
    /** A FHIR ValueSet JSON file, relative to the rules file (compose.include or expansion). */
    valueSet: z
      .string()
      .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._\/-]+\.json$/, 'a relative path to a .json file, without ".."')
      .optional(),
  })
  .refine((s) => s.loinc || s.codes || s.valueSet, { message: 'give loinc, codes or valueSet' });
export type CodeSet = z.infer<typeof CodeSetSchema>;

const CODE_SET_ID = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'kebab-case name');

export const CalendarSchema = z.strictObject({
  timeZone: z.string().min(1),
  holidays: z.array(z.iso.date()).max(1000),
});

export const RuleFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  description: z.string().max(1000).optional(),
  calendar: CalendarSchema,
  codeSets: z.record(CODE_SET_ID, CodeSetSchema),
  rules: nonEmpty(RuleSchema),
});
export type RuleFile = z.infer<typeof RuleFileSchema>;

/** A per-EHR override: rules with a known id replace that rule, new ids are added; code sets
 *  likewise; holidays are added to the base list. Every guardrail still applies afterwards. */
export const RuleOverrideSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().max(1000).optional(),
  timeZone: z.string().min(1).optional(),
  holidays: z.array(z.iso.date()).max(1000).optional(),
  codeSets: z.record(CODE_SET_ID, CodeSetSchema).optional(),
  rules: z.array(RuleSchema).optional(),
});
export type RuleOverride = z.infer<typeof RuleOverrideSchema>;
