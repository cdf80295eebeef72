import type { AppServices } from '../services.js';
import type { PortalSession } from '../smart/sessions.js';
import { FhirSession } from './fhir-session.js';

/** The FHIR client for a signed-in session: its token, its patient, its EHR's limits. */
export function fhirForSession(s: AppServices, session: PortalSession): FhirSession {
  const reg = s.registration(session.ehrId);
  return new FhirSession({
    ehrId: reg.id,
    ehrName: reg.name,
    baseUrl: reg.fhirBaseUrl,
    patientId: session.patientId,
    token: () => s.tokens.accessToken(session),
    onUnauthorized: () => s.tokens.afterUnauthorized(session),
    timeoutMs: reg.fhirTimeoutMs,
    maxPages: reg.maxPages,
    observe: (op, outcome, ms) => {
      s.metrics.fhirDuration.observe({ ehr: reg.id, operation: op, outcome }, ms / 1000);
      if (outcome !== 'ok') s.metrics.fhirErrors.inc({ ehr: reg.id, kind: errorKind(outcome) });
    },
    warn: (msg, data) => s.logger.warn(data, msg),
  });
}

/** A small fixed set of error kinds for the metrics label (never a URL or an id). */
function errorKind(outcome: string): string {
  if (outcome === 'network') return 'network';
  const status = Number(outcome);
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status >= 500) return 'server';
  return 'client';
}
