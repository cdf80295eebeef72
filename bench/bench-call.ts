/** The signed-in session a bench drives, and a PortalCall for it (to run use cases in process). */
import type { TestBrowser } from '../test/integration/helpers/browser.js';
import type { TestPortal } from '../test/integration/helpers/test-portal.js';
import { SESSION_COOKIE } from '../src/http/cookies.js';
import type { PortalCall } from '../src/portal/portal.js';
import type { PortalSession } from '../src/smart/sessions.js';

export async function benchCall(portal: TestPortal, browser: TestBrowser): Promise<{ session: PortalSession; cookie: string | undefined; call: () => PortalCall }> {
  const s = portal.services;
  const raw = browser.jar.get(SESSION_COOKIE);
  const cookie = raw ? decodeURIComponent(raw) : undefined;
  const found = await s.sessions.lookup(cookie);
  if (found.status !== 'active') throw new Error(`session ${found.status}`);
  const session = found.session;
  const reg = s.registration(session.ehrId);
  const call = (): PortalCall => ({
    s,
    session,
    view: { timeZone: reg.timeZone, locale: 'en', now: s.clock(), patientRef: `Patient/${session.patientId}`, viewerRef: `Patient/${session.viewer.id}` },
    meta: { ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench' },
  });
  return { session, cookie, call };
}
