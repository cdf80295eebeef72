import { html, type SafeHtml } from '../html.js';
import type { Chrome, RenderContext } from '../render-context.js';

/**
 * The EHR did not answer: say so in plain words, name it, and say nothing sent was lost.
 * `accepted`: the confirmation of what the patient just sent (it is kept and goes out later);
 * `notSent`: what could not be done for lack of the EHR (then nothing is promised about it), with
 * `back`, the page to try again from.
 */
export function renderEhrDown(rc: RenderContext, chrome: Chrome, about: { accepted?: string | null; notSent?: string; back?: string } = {}): { title: string; body: SafeHtml } {
  const { t } = rc;
  return {
    title: t.ehrDownTitle,
    body: html`${about.accepted ? html`<div class="notice notice-success" role="status"><p>${about.accepted}</p></div>` : null}<div class="notice notice-warning" role="alert"><p>${t.ehrDown(chrome.ehrName)}</p>${
      about.notSent ? html`<p>${about.notSent}</p>` : html`<p>${t.ehrDownSafe}</p>`
    }<p>${t.ehrDownRetry}</p></div>
<p><a class="button" href="${about.back ?? chrome.path}">${t.tryAgain}</a></p>`,
  };
}

export function renderSessionEnded(rc: RenderContext): SafeHtml {
  const { t } = rc;
  return html`<p>${t.sessionEndedBody}</p><p>${t.sessionEndedDrafts}</p><p><strong>${t.sessionEndedHow}</strong></p>`;
}
