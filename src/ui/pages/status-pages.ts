import { html, type SafeHtml } from '../html.js';
import type { Chrome, RenderContext } from '../render-context.js';

/**
 * The EHR did not answer: say so in plain words, name it, and say nothing sent was lost.
 * `accepted`: the confirmation of what the patient just sent (it is kept and goes out later);
 * `notSent`: what could not be done for lack of the EHR (then nothing is promised about it), with
 * `back`, the page to try again from; `stillHere`: what the page can still offer (a form whose
 * write is taken without the EHR).
 */
export function renderEhrDown(
  rc: RenderContext,
  chrome: Chrome,
  about: { accepted?: string | null; notSent?: string; back?: string; stillHere?: SafeHtml } = {},
): { title: string; body: SafeHtml } {
  const { t } = rc;
  return {
    title: t.ehrDownTitle,
    body: html`${about.accepted ? html`<div class="notice notice-success" role="status"><p>${about.accepted}</p></div>` : null}<div class="notice notice-warning" role="alert"><p>${t.ehrDown(chrome.ehrName)}</p>${
      about.notSent ? html`<p>${about.notSent}</p>` : html`<p>${t.ehrDownSafe}</p>`
    }<p>${t.ehrDownRetry}</p></div>
<p><a class="button" href="${about.back ?? chrome.path}">${t.tryAgain}</a></p>${about.stillHere ?? null}`,
  };
}

export function renderSessionEnded(rc: RenderContext): SafeHtml {
  const { t } = rc;
  return html`<p>${t.sessionEndedBody}</p><p>${t.sessionEndedDrafts}</p><p><strong>${t.sessionEndedHow}</strong></p>`;
}

/** After "Sign out": drafts were cleared on purpose (portal.js), so this page promises nothing about them. */
export function renderSignedOut(rc: RenderContext): SafeHtml {
  return html`<p>${rc.t.signedOutBody}</p>`;
}

/** The session codes `requireSession` answers 401 with (src/http/auth-pipeline.ts). */
export const SIGN_IN_AGAIN_CODES = ['session_idle', 'session_expired', 'session_ended', 'session_required'] as const;
export type SignInAgainCode = (typeof SIGN_IN_AGAIN_CODES)[number];

/**
 * "Please sign in again", in the page's language. Only a session that timed out (idle or too old)
 * says drafts are kept: portal.js saved them when it noticed. After a sign-out ("ended", or no
 * session cookie at all, which is what the browser has once sign-out cleared it) the drafts were
 * cleared on purpose, so the page does not promise them.
 */
export function renderSignInAgain(rc: RenderContext, code: SignInAgainCode, correlationId: string): SafeHtml {
  const { t } = rc;
  const timedOut = code === 'session_idle' || code === 'session_expired';
  return html`<p>${t.signInAgainWhy[code]}</p><p>${t.signInAgainHow}${timedOut ? html` ${t.signInAgainDrafts}` : null}</p>
<p class="muted">${t.reference}: <code>${correlationId}</code> (${code})</p>`;
}
