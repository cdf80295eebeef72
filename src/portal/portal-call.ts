import type { Context } from 'koa';
import type { AppServices } from '../services.js';
import type { PortalCall } from './portal.js';
import { pickLocale } from '../ui/locale.js';

/** Locale from the `lang` query, else as the pages choose it (the `lang` cookie, then Accept-Language). */
export function requestLocale(ctx: Context): 'en' | 'es' {
  const asked = ctx.query.lang;
  return asked === 'es' || asked === 'en' ? asked : pickLocale(ctx);
}

/** The use-case call for a request that passed the patient guard. */
export function portalCall(ctx: Context, s: AppServices, locale: 'en' | 'es' = requestLocale(ctx)): PortalCall {
  const session = ctx.state.session!;
  const viewerType = session.viewer.kind === 'patient' ? 'Patient' : session.viewer.kind === 'proxy' ? 'RelatedPerson' : 'Practitioner';
  return {
    s,
    session,
    view: {
      timeZone: s.registration(session.ehrId).timeZone,
      locale,
      now: s.clock(),
      patientRef: `Patient/${session.patientId}`,
      viewerRef: `${viewerType}/${session.viewer.id}`,
    },
    meta: { ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, 300), requestId: ctx.state.requestId ?? '' },
  };
}
