import { z } from 'zod';

export const ACTOR_KINDS = ['patient', 'proxy', 'staff', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
export type Outcome = 'success' | 'failure' | 'pending';

const id = z.string().min(1).max(256);
const optionalText = (max: number) => z.string().min(1).max(max).optional();

/** What a caller records. `actor.name` and `details` may carry PHI: they are stored encrypted. */
export const auditInputSchema = z.strictObject({
  actor: z.strictObject({ kind: z.enum(ACTOR_KINDS), id, name: z.string().max(512).optional() }),
  ehrId: id.optional(),
  patientId: id.optional(),
  /** signin, signin_failed, signout, read, write, policy_hold, policy_release, staff_release, staff_hold, export, notify, … */
  action: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case code such as "read" or "policy_hold"'),
  resourceType: z.string().regex(/^[A-Z][A-Za-z]{0,63}$/, 'a FHIR resource type').optional(),
  resourceId: optionalText(256),
  outcome: z.enum(['success', 'failure', 'pending']).default('success'),
  /** Rule id and basis only, e.g. "hold_until_released:hiv-hold:PRIVACY_STATE_LAW": a code, never free text. */
  decision: z.string().regex(/^[A-Za-z0-9_.:-]{1,256}$/, 'codes joined by ":" (no spaces or free text)').optional(),
  ip: optionalText(64),
  /** Truncated rather than refused: an odd header must not cost an audit entry. */
  userAgent: z.string().min(1).transform((s) => s.slice(0, 512)).optional(),
  requestId: optionalText(128),
  details: z.record(z.string(), z.unknown()).optional(),
});

export type AuditInput = z.input<typeof auditInputSchema>;

/** One decrypted entry. */
export interface AuditRecord {
  seq: number;
  at: Date;
  actor: { kind: ActorKind; id: string; name?: string };
  ehrId?: string;
  patientId?: string;
  action: string;
  resourceType?: string;
  resourceId?: string;
  outcome: Outcome;
  decision?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** An entry as the patient's account-activity page shows it: no IP, no decision, no ids. */
export interface ActivityItem {
  seq: number;
  at: string;
  action: string;
  who: { kind: ActorKind; name?: string };
  resourceType?: string;
  outcome: Outcome;
  device?: string;
}
