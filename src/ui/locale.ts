import type { Context } from 'koa';

export type UiLocale = 'en' | 'es';
/** The language cookie: a preference, not a secret, so a plain name (Secure on https; see ui-routes.ts /language). */
export const LANG_COOKIE = 'lang';

const isLocale = (v: string | undefined): v is UiLocale => v === 'en' || v === 'es';

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The best supported language in an Accept-Language header (RFC 9110 §12.5.4), or undefined. */
export function fromAcceptLanguage(header: string | undefined): UiLocale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((entry, i) => {
      const [tag = '', ...params] = entry.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((e) => e.q > 0 && !Number.isNaN(e.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((e) => e.lang).find(isLocale);
}

/** The page language: the `lang` cookie (the person's own choice), else Accept-Language, else English. */
export function pickLocale(ctx: Pick<Context, 'get'>): UiLocale {
  const chosen = cookieValue(ctx.get('cookie'), LANG_COOKIE);
  if (isLocale(chosen)) return chosen;
  return fromAcceptLanguage(ctx.get('accept-language')) ?? 'en';
}

/** A same-site path to go back to: only `/…` paths, never `//host` or `/\host` (open redirect). */
export function safeBackPath(back: unknown): string {
  if (typeof back !== 'string' || back.length > 512) return '/';
  if (!/^\/(?![/\\])[^\s\\]*$/.test(back)) return '/';
  // Control characters and encoded slashes at the start could still turn into a host.
  if (/[\u0000-\u001f\u007f]/.test(back) || /^\/%2f/i.test(back) || /^\/%5c/i.test(back)) return '/';
  return back;
}
