import type { Middleware } from 'koa';
import type { AppServices } from '../services.js';
import { checkCsrf, loadSession, requirePatientContext, requireScope, requireSession, requireStaff, touchSession } from './auth-pipeline.js';
import { noStore } from './middleware/no-store.js';
import { bySession, byIp, rateLimit } from './middleware/rate-limit.js';
import type { Feature } from '../smart/scopes.js';

/**
 * The security pipeline, as a table: which checks run, in which order, for each kind of route.
 * Routes take their guard from here; no route assembles its own.
 */
export interface Guards {
  /** Any signed-in viewer (session info, logout). */
  api: Middleware[];
  /** Same, for state-changing calls: adds CSRF and a per-session write limit. */
  write: Middleware[];
  /** Patient data, read: a feature's read scope. */
  read(feature: Feature): Middleware[];
  /** Patient data, write: a feature's write scope, CSRF, write limit. */
  change(feature: Feature): Middleware[];
  /** Patient pages (HTML): session required; the page shows what is unavailable itself. */
  page: Middleware[];
  /** A change in a patient's record that no FHIR scope governs (their own choices): CSRF, write limit. */
  pageWrite: Middleware[];
  /** Clinic staff (Practitioner fhirUser). */
  staff: Middleware[];
  staffWrite: Middleware[];
  /** Launch and callback: per-IP limit only (there is no session yet). */
  launch: Middleware[];
}

export function buildGuards(s: AppServices): Guards {
  const session = [noStore(), loadSession(s), requireSession(), touchSession(s)];
  const writes = rateLimit({ name: 'writes', windowMs: 60_000, max: s.config.env.WRITE_LIMIT_PER_MINUTE, key: bySession });
  const launches = rateLimit({ name: 'launch', windowMs: 60_000, max: s.config.env.LAUNCH_LIMIT_PER_MINUTE, key: byIp });
  return {
    api: session,
    write: [...session, checkCsrf(), writes],
    read: (feature) => [...session, requirePatientContext(), requireScope(feature, 'read')],
    change: (feature) => [...session, requirePatientContext(), requireScope(feature, 'write'), checkCsrf(), writes],
    page: [...session, requirePatientContext()],
    pageWrite: [...session, requirePatientContext(), checkCsrf(), writes],
    staff: [...session, requireStaff()],
    staffWrite: [...session, requireStaff(), checkCsrf(), writes],
    launch: [noStore(), launches],
  };
}
