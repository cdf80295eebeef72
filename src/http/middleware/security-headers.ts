import type { Middleware } from 'koa';
import { z } from 'zod';

/** A CSP hash source (`'sha256-…'`). */
const HASH_SOURCE = /^'sha(256|384|512)-[A-Za-z0-9+/]+={0,2}'$/;

/** An origin (`https://portal.example.org[:port]`, any path dropped) or the `'self'` keyword. */
const originSource = z
  .string()
  .refine((v) => v === "'self'" || isHttpOrigin(v), { message: "must be 'self' or an http(s) origin like https://portal.example.org" });

/** Style sources: origins or hash sources; never 'unsafe-inline' / 'unsafe-eval'. */
const styleSource = z
  .string()
  .refine((v) => isHttpOrigin(v) || HASH_SOURCE.test(v), {
    message: "must be an http(s) origin or a hash source like 'sha256-…'",
  });

const optionsSchema = z.strictObject({
  /** Origins allowed to frame the portal (the EHR portals that embed it), beyond 'self'. */
  frameAncestors: z.array(originSource),
  /** Send Strict-Transport-Security (only meaningful when the app is served over https). */
  hsts: z.boolean(),
  /** Extra style-src entries. */
  styleSources: z.array(styleSource).default([]),
  /** Hash sources for exact inline scripts a development tool injects (never 'unsafe-inline'). */
  scriptHashes: z.array(z.string().regex(HASH_SOURCE, "must be a hash source like 'sha256-…'")).default([]),
  /** Extra form-action targets, beyond 'self'. */
  formActions: z.array(originSource).default([]),
});

export type SecurityHeadersOptions = z.input<typeof optionsSchema>;

function isHttpOrigin(value: string): boolean {
  // Reject anything that could end a directive or start another source list.
  if (/[\s;,'"]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** `'self'` stays a keyword; origins are reduced to scheme://host[:port] (paths match nothing useful in frame-ancestors). */
function normalise(source: string): string {
  return source.startsWith("'") ? source : new URL(source).origin;
}

function unique(sources: string[]): string[] {
  return [...new Set(sources.map(normalise))];
}

/**
 * The frame-ancestors sources for a set of EHR registrations: each registration names the portal
 * origins that embed the app (smart-config/<id>.json `frameAncestors`).
 */
export function frameAncestorsOf(registrations: ReadonlyArray<{ frameAncestors: readonly string[] }>): string[] {
  return unique(registrations.flatMap((r) => [...r.frameAncestors]).filter((s) => s !== "'self'"));
}

function parseOptions(options: SecurityHeadersOptions): z.output<typeof optionsSchema> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TypeError(`securityHeaders options: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The Content-Security-Policy value for the given options (exported for tests and for the sandbox's pages). */
export function contentSecurityPolicy(options: SecurityHeadersOptions): string {
  const o = parseOptions(options);
  const ancestors = unique(["'self'", ...o.frameAncestors]);
  const directives: Array<[string, string[]]> = [
    // Everything not named below comes from our own origin only.
    ['default-src', ["'self'"]],
    // Our own script files only: no inline script, no eval, so injected markup cannot run code.
    ['script-src', ["'self'", ...o.scriptHashes]],
    // smart_style_url is JSON fetched server-side, so no remote stylesheet is needed by default.
    ['style-src', unique(["'self'", ...o.styleSources])],
    // data: for small inline icons; no remote images that could carry tracking or leak via Referer.
    ['img-src', ["'self'", 'data:']],
    // The pages talk only to our own /api; the EHR is reached server-side.
    ['connect-src', ["'self'"]],
    // No plugins.
    ['object-src', ["'none'"]],
    // A <base> tag injected into a page cannot re-point relative URLs.
    ['base-uri', ["'none'"]],
    // Forms may only post back to us (or a named target), so an injected form cannot exfiltrate PHI.
    ['form-action', unique(["'self'", ...o.formActions])],
    // Only our own pages and the registered EHR portals may embed the app (clickjacking).
    ['frame-ancestors', ancestors],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/**
 * Sets the browser security headers on every response. Options are checked when the middleware
 * is built, so a bad registration origin stops start-up instead of weakening a header.
 */
export function securityHeaders(options: SecurityHeadersOptions): Middleware {
  const o = parseOptions(options);
  const headers: Record<string, string> = {
    // Restricts where scripts, styles, frames and form posts may come from or go to (XSS, clickjacking).
    'Content-Security-Policy': contentSecurityPolicy(o),
    // URLs of patient pages never travel to another site in the Referer header.
    'Referrer-Policy': 'no-referrer',
    // Browsers must not guess a content type (an uploaded document must not become HTML or script).
    'X-Content-Type-Options': 'nosniff',
    // Other windows (a page that opened us, or one we open) get no handle on ours.
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Other sites cannot load our responses (documents, results) as sub-resources.
    'Cross-Origin-Resource-Policy': 'same-origin',
    // The portal needs no camera, microphone or location; a compromised page cannot ask for them.
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
  // Browsers keep to https for a year once they have seen the app over https (no SSL stripping).
  if (o.hsts) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  // For browsers without CSP frame-ancestors; omitted when EHR portals may frame us, since it cannot name them.
  if (o.frameAncestors.filter((s) => s !== "'self'").length === 0) headers['X-Frame-Options'] = 'SAMEORIGIN';

  return async (ctx, next) => {
    ctx.set(headers);
    try {
      await next();
    } catch (e) {
      // Koa's fallback error responder clears headers and restores only `err.headers`.
      if (e instanceof Error) Object.assign(e, { headers: { ...(e as { headers?: object }).headers, ...headers } });
      throw e;
    }
  };
}
