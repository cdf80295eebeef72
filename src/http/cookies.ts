import type { Context } from 'koa';

export interface CookiePolicy {
  /** https (or not loopback): Secure + __Host- prefix. */
  secure: boolean;
  /** 'None' lets the portal work inside the EHR's frame; it requires Secure. */
  sameSite: 'Lax' | 'None';
}

export const SESSION_COOKIE = 'portal_session';
export const LAUNCH_COOKIE = 'portal_launch';

/** `__Host-` pins the cookie to this host and path / (it needs Secure, so only on https). */
export function cookieName(base: string, policy: CookiePolicy): string {
  return policy.secure ? `__Host-${base}` : base;
}

export function readCookie(ctx: Context, base: string, policy: CookiePolicy): string | undefined {
  const name = cookieName(base, policy);
  const header = ctx.get('cookie');
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function setCookie(ctx: Context, base: string, value: string, policy: CookiePolicy, maxAgeSeconds?: number): void {
  const attrs = [`${cookieName(base, policy)}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', `SameSite=${policy.secure ? policy.sameSite : 'Lax'}`];
  if (policy.secure) attrs.push('Secure');
  if (maxAgeSeconds !== undefined) attrs.push(`Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`);
  ctx.append('Set-Cookie', attrs.join('; '));
}

export function clearCookie(ctx: Context, base: string, policy: CookiePolicy): void {
  setCookie(ctx, base, '', policy, 0);
}
