import Router from '@koa/router';
import type { AppServices } from '../services.js';
import type { Sandbox } from '../sandbox/types.js';
import { loadSession } from '../http/auth-pipeline.js';
import { escapeHtml } from '../http/html.js';
import { simplePage } from '../http/simple-page.js';

/**
 * `/` for someone who is not signed in: how to get in, instead of a bare "please sign in" error.
 * With the development sandbox running it also lists the sandbox's (synthetic) patients to launch.
 */
export function landingRoutes(sandbox: Sandbox | undefined) {
  return (s: AppServices): Router => {
    const router = new Router();
    router.get('/', loadSession(s), async (ctx, next) => {
      const status = ctx.state.sessionStatus;
      if (status === 'active' || status === 'idle' || status === 'expired') return next();
      const clinics = [...new Set(s.config.ehrs.map((r) => r.branding.clinicName))];
      let demo = '';
      if (sandbox) {
        const people = await sandbox.patients();
        demo = `<h2>Try it with the sandbox EHR</h2>
<p>This is a development server. Open the portal as one of the sandbox's made-up patients, or as someone who helps them:</p>
<ul class="choices">${people
          .map(
            (p) => `<li><a href="/sandbox/launch?patient=${encodeURIComponent(p.id)}">${escapeHtml(p.name)}</a> <span class="muted">${escapeHtml(p.description)}</span>${p.proxies
              .map((x) => `<br><a href="/sandbox/launch?patient=${encodeURIComponent(p.id)}&amp;user=${encodeURIComponent(x.id)}">as ${escapeHtml(x.name)} (${escapeHtml(x.relationship)})</a>`)
              .join('')}</li>`,
          )
          .join('')}</ul>`;
      }
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      ctx.body = simplePage(
        `${clinics.join(' · ')} patient portal`,
        `<p>To see your messages, appointments, test results and documents, open this app from your clinic's patient portal. You will sign in there.</p>${demo}`,
      );
    });
    return router;
  };
}
