/**
 * The UI router's own behaviour, without an EHR: the real router with the real `requireSession`
 * guard (the session status comes from a test header), behind the real error handler.
 * - every form-post address also answers GET with a way back to its page (no 405 after a failed
 *   post, e.g. when the language is switched there);
 * - the signed-out and "please sign in again" pages follow the chosen language, and only a timed-out
 *   session promises that drafts are kept.
 */
import assert from 'node:assert/strict';
import Koa from 'koa';
import type Router from '@koa/router';
import { requireSession } from '../../../src/http/auth-pipeline.js';
import type { Guards } from '../../../src/http/guards.js';
import { errorHandler } from '../../../src/http/middleware/error-handler.js';
import { requestId } from '../../../src/http/middleware/request-id.js';
import type { Portal } from '../../../src/portal/portal.js';
import type { AppServices } from '../../../src/services.js';
import { uiRoutes } from '../../../src/ui/ui-routes.js';
import { memoryLogger, serve } from '../http/serve.js';
import { textOf } from './helpers.js';

type Status = 'idle' | 'expired' | 'ended' | 'unknown';

function build(): { app: Koa; router: Router } {
  const session = [requireSession()];
  const g = {
    api: session,
    write: session,
    read: () => session,
    change: () => session,
    page: session,
    pageWrite: session,
    staff: session,
    staffWrite: session,
    launch: [],
  } as unknown as Guards;
  const s = { cookies: { secure: false, sameSite: 'lax' } } as unknown as AppServices;
  const router = uiRoutes(s, g, {} as Portal);
  const app = new Koa();
  app.use(requestId());
  app.use(errorHandler(memoryLogger().logger));
  app.use(async (ctx, next) => {
    ctx.state.sessionStatus = (ctx.get('x-test-session') || 'unknown') as Status;
    await next();
  });
  app.use(router.routes()).use(router.allowedMethods());
  return { app, router };
}

describe('ui routes', () => {
  let url: string;
  let close: () => Promise<void>;
  let router: Router;

  before(async () => {
    const built = build();
    router = built.router;
    ({ url, close } = await serve(built.app));
  });
  after(() => close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { redirect: 'manual', headers: { accept: 'text/html', ...headers } });

  describe('a form post answered with a page, then the language switched', () => {
    it('the reply address answers GET with a 303 to its conversation', async () => {
      const res = await get('/messages/comm-ml-11/reply');
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/messages/comm-ml-11');
    });

    it('the cancel address answers GET with a 303 to the appointments', async () => {
      const res = await get('/appointments/appt-1/cancel');
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/appointments');
    });

    it('switching language on /messages/:id/reply ends on the conversation, not on a 405', async () => {
      const lang = await get(`/language?to=es&back=${encodeURIComponent('/messages/comm-ml-11/reply')}`);
      assert.equal(lang.status, 303);
      assert.match(lang.headers.get('set-cookie') ?? '', /lang=es/);
      const back = lang.headers.get('location')!;
      const again = await get(back, { cookie: 'lang=es' });
      assert.equal(again.status, 303, `GET ${back}`);
      assert.equal(again.headers.get('location'), '/messages/comm-ml-11');
    });

    it('every form-post address of the UI router takes GET and leads to a page the router serves with GET', async () => {
      const posts = [...new Set(router.stack.filter((l) => l.methods.includes('POST')).map((l) => String(l.path)))];
      assert.ok(posts.length >= 5, `form posts found: ${posts.join(', ')}`);
      for (const pattern of posts) {
        const path = pattern.replace(/:[A-Za-z0-9_]+/g, 'x-1');
        const res = await get(path);
        assert.notEqual(res.status, 405, `GET ${path}`);
        assert.notEqual(res.status, 404, `GET ${path}`);
        if (res.status === 303) {
          const to = res.headers.get('location')!;
          assert.ok(router.match(to, 'GET').route, `GET ${path} → ${to}, which the router serves`);
        } else {
          assert.equal(res.status, 401, `GET ${path}: its own page (here without a session)`);
        }
      }
    });

    it('an address that is not a FHIR id is still "not found"', async () => {
      const res = await get('/messages/no$such/reply');
      assert.equal(res.status, 404);
    });
  });

  describe('pages without a session follow the chosen language', () => {
    it('/signed-out is in Spanish with the Spanish cookie or Accept-Language, and in English otherwise', async () => {
      for (const headers of [{ cookie: 'lang=es' }, { 'accept-language': 'es-MX,es;q=0.9' }] as Record<string, string>[]) {
        const res = await get('/signed-out', headers);
        assert.equal(res.status, 200);
        const page = await res.text();
        assert.match(page, /<html lang="es">/);
        assert.match(textOf(page), /Ha cerrado sesión/);
        assert.doesNotMatch(textOf(page), /signed out/i);
      }
      const en = await get('/signed-out', { cookie: 'lang=en', 'accept-language': 'es' });
      assert.match(await en.text(), /<html lang="en">[\s\S]*You are signed out/);
    });

    it('"please sign in again" is in the chosen language', async () => {
      const res = await get('/messages', { cookie: 'lang=es', 'x-test-session': 'idle' });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const page = await res.text();
      assert.match(page, /<html lang="es">/);
      const text = textOf(page);
      assert.match(text, /Vuelva a iniciar sesión/);
      assert.match(text, /Se cerró su sesión porque el portal no se usó durante un tiempo/);
      assert.doesNotMatch(text, /Please sign in again/);
      // A JSON caller still gets the shared error shape.
      const json = await get('/messages', { accept: 'application/json', 'x-test-session': 'ended' });
      assert.equal(json.status, 401);
      assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'session_ended');
    });

    it('after a sign-out it does not promise kept drafts (sign-out cleared them); after a timeout it does', async () => {
      for (const lang of ['en', 'es'] as const) {
        const kept = lang === 'en' ? /kept in this browser/ : /se guarda en este navegador/;
        for (const status of ['unknown', 'ended'] as const) {
          const text = textOf(await (await get('/activity', { cookie: `lang=${lang}`, 'x-test-session': status })).text());
          assert.doesNotMatch(text, kept, `${lang}, session ${status}`);
          assert.match(text, lang === 'en' ? /Open the app again from your patient portal/ : /Vuelva a abrir la aplicación/);
        }
        for (const status of ['idle', 'expired'] as const) {
          const text = textOf(await (await get('/activity', { cookie: `lang=${lang}`, 'x-test-session': status })).text());
          assert.match(text, kept, `${lang}, session ${status}`);
        }
      }
    });
  });
});
