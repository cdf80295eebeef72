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
    observe: (op, outcome, ms) => s.metrics.fhirDuration.observe({ ehr: reg.id, operation: op, outcome }, ms / 1000),
    warn: (msg, data) => s.logger.warn(data, msg),
  });
}
