import { html, type SafeHtml } from '../html.js';
import type { Chrome, RenderContext } from '../render-context.js';

/** The EHR did not answer: say so in plain words, name it, and say nothing sent was lost. */
export function renderEhrDown(rc: RenderContext, chrome: Chrome): { title: string; body: SafeHtml } {
  const { t } = rc;
  return {
    title: t.ehrDownTitle,
    body: html`<div class="notice notice-warning" role="alert"><p>${t.ehrDown(chrome.ehrName)}</p><p>${t.ehrDownSafe}</p><p>${t.ehrDownRetry}</p></div>
<p><a class="button" href="${chrome.path}">${t.tryAgain}</a></p>`,
  };
}

export function renderSessionEnded(rc: RenderContext): SafeHtml {
  const { t } = rc;
  return html`<p>${t.sessionEndedBody}</p><p>${t.sessionEndedDrafts}</p><p><strong>${t.sessionEndedHow}</strong></p>`;
}
