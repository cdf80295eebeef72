import { z } from 'zod';
import type { FaultSettings } from './types.js';

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  down: false,
  accessTokenTtlSeconds: 3600,
  idToken: 'valid',
};

export const FaultSettingsPatch = z
  .object({
    latencyMs: z.number().int('latencyMs must be an integer').min(0).max(60_000),
    errorRate: z.number().min(0).max(1),
    timeoutRate: z.number().min(0).max(1),
    down: z.boolean(),
    accessTokenTtlSeconds: z.number().int('accessTokenTtlSeconds must be an integer').min(1).max(86_400),
    idToken: z.enum(['valid', 'wrong-aud', 'wrong-iss', 'bad-signature', 'expired']),
  })
  .partial()
  .strict();

/** Longest a "timeout" request is held before the sandbox gives up itself. */
export const TIMEOUT_CAP_MS = 60_000;

export type FaultDecision = { kind: 'down' } | { kind: 'error' } | { kind: 'timeout' } | { kind: 'pass'; delayMs: number };

/** Pure: what the fault settings do to one FHIR request, given one uniform random draw per rate. */
export function decideFault(f: FaultSettings, random: () => number): FaultDecision {
  if (f.down) return { kind: 'down' };
  if (f.timeoutRate > 0 && random() < f.timeoutRate) return { kind: 'timeout' };
  if (f.errorRate > 0 && random() < f.errorRate) return { kind: 'error' };
  return { kind: 'pass', delayMs: f.latencyMs };
}
