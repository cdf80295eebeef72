import assert from 'node:assert/strict';
import { featuresFromScope } from '../../../src/smart/scopes.js';
import { messagesFor } from '../../../src/ui/i18n/index.js';
import type { UiLocale } from '../../../src/ui/locale.js';
import { layout } from '../../../src/ui/layout.js';
import type { Chrome, RenderContext } from '../../../src/ui/render-context.js';
import type { SafeHtml } from '../../../src/ui/html.js';

export const ALL_SCOPES = 'launch openid fhirUser patient/*.cruds';

export const rc = (locale: UiLocale = 'en'): RenderContext => ({ t: messagesFor(locale), locale, timeZone: 'America/New_York' });

export const chrome = (over: Partial<Chrome> = {}): Chrome => ({
  clinicName: 'Riverside Family Health',
  logoUrl: null,
  supportPhone: '(555) 010-0100',
  ehrName: 'Sandbox EHR',
  patientName: 'Maria Elena Lopez',
  patientBirthDate: '1968-03-14',
  viewer: { kind: 'patient', name: 'Maria Elena Lopez', relationship: null },
  needPatientBanner: true,
  csrfToken: 'csrf-token-123',
  path: '/',
  draftScope: 'abcdef0123456789',
  themeHref: null,
  features: featuresFromScope(ALL_SCOPES),
  ...over,
});

/** The full page as the browser gets it. */
export const fullPage = (r: RenderContext, c: Chrome, p: { title: string; body: SafeHtml }) => layout(r, c, { ...p, active: null }).value;

/** Text without tags or entities decoded (good enough for assertions on our own output). */
export const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/**
 * Structural checks that hold on every page: one h1, headings never skip a level, every form
 * control has a label, no unfilled template text, no inline script/style/handlers (CSP).
 */
export function assertWellFormedPage(page: string, what: string): void {
  assert.equal((page.match(/<h1[\s>]/g) ?? []).length, 1, `${what}: exactly one h1`);
  const levels = [...page.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i]! <= levels[i - 1]! + 1, `${what}: heading h${levels[i]} follows h${levels[i - 1]}`);
  const ids = new Set([...page.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((m) => m[1]));
  for (const m of page.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const attrs = m[2]!;
    if (/type="hidden"/.test(attrs) || /type="submit"/.test(attrs)) continue;
    const id = /\sid="([^"]+)"/.exec(attrs)?.[1];
    assert.ok(id && ids.has(id), `${what}: ${m[1]} ${id ?? '(no id)'} has a label`);
  }
  assert.doesNotMatch(page, /undefined|\[object |NaN/, `${what}: no unfilled values`);
  assert.doesNotMatch(page, /<script(?![^>]*\ssrc=)[^>]*>/, `${what}: no inline script`);
  assert.doesNotMatch(page, /<[^>]*\s(style|on[a-z]+)=/i, `${what}: no inline style or event handlers`);
  assert.match(page, /<html lang="(en|es)">/, `${what}: lang attribute`);
}
