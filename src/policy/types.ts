/**
 * The release policy's public shapes. Other parts of the app (fhir/, views/, audit/) code
 * against these; the engine itself is pure (no clock, no I/O: both arrive in PolicyContext).
 */

export type ViewerKind = 'patient' | 'proxy' | 'staff';
export type Viewer = { kind: ViewerKind; id: string; relationship?: string };

/** Exceptions to information blocking (45 CFR 171.201 / 171.202) and the proxy/minor bases. */
export type Basis =
  | 'PRIVACY_STATE_LAW'
  | 'PRIVACY_PATIENT_REQUEST'
  | 'PREVENTING_HARM_INDIVIDUAL'
  | 'PREVENTING_HARM_DATA_ERROR'
  | 'PROXY_SUBSTANTIAL_HARM'
  | 'MINOR_CONFIDENTIAL';

export type Action =
  | 'release'
  | 'hold_until_released'
  | 'delay'
  | 'hide_from_proxy'
  | 'withhold'
  | 'release_with_note'
  | 'mask'
  | 'notify_clinician';

export interface ClinicianAction {
  /** 'DiagnosticReport/123' */
  resourceRef: string;
  action: 'release' | 'hold';
  at: Date;
  /** Practitioner id (audit only; never shown). */
  by: string;
  reason?: string;
}

export interface PatientFacts {
  id: string;
  /** FHIR date: YYYY, YYYY-MM or YYYY-MM-DD */
  birthDate?: string;
  /** US state code, e.g. 'CA' */
  state?: string;
}

export interface PatientPreferences {
  /** "Show me results only after my clinician has talked with me." */
  waitForClinician?: boolean;
  /** Opted in to see genetic results at once. */
  geneticEarlyRelease?: boolean;
}

export type Locale = 'en' | 'es';

export interface PolicyContext {
  viewer: Viewer;
  patient: PatientFacts;
  now: Date;
  clinicianActions: ClinicianAction[];
  preferences: PatientPreferences;
  locale?: Locale;
}

export type Presence = 'shown' | 'pending' | 'absent';

export interface Decision {
  /** May the viewer see this resource's content now. */
  visible: boolean;
  /** 'pending': the viewer sees "a result is pending release" (never its value or name);
   *  'absent': hidden entirely (the viewer must not learn it exists). */
  presence: Presence;
  action: Action;
  /** Rule that decided: a rule id from the rules file, or one of the engine's own ids
   *  ('fail-closed', 'default-deny', 'clinician-hold', 'clinician-release'). */
  ruleId: string;
  basis?: Basis;
  /** When the content becomes visible without anyone acting (delay end, hold maximum). */
  releaseAt?: Date;
  /** Extra words shown with a released result (release_with_note). */
  note?: string;
  /** Plain words for the viewer; never names the test. */
  explanation: string;
  notifyClinician?: boolean;
  /** Ids of every rule whose conditions matched, in file order (audit trail). */
  matched: string[];
  /** Set by applyPolicy when this decision was taken from a related resource ('Type/id'). */
  inheritedFrom?: string;
}

/** Engine-owned rule ids (never valid as ids in a rules file). */
export const ENGINE_RULE_IDS = [
  'fail-closed',
  'default-deny',
  'clinician-hold',
  'clinician-release',
] as const;
