import { html, raw, type SafeHtml } from '../html.js';
import type { Chrome, RenderContext } from '../render-context.js';

/** Field name → message in the page's language. */
export type FormErrors = Record<string, string>;

export const csrfField = (chrome: Chrome): SafeHtml => html`<input type="hidden" name="_csrf" value="${chrome.csrfToken}">`;

/** The message above a field; the control points at it with aria-describedby. */
export const fieldError = (errors: FormErrors, field: string): SafeHtml =>
  errors[field] ? html`<p class="field-error" id="${field}-error">${errors[field]}</p>` : raw('');

/** A summary at the top of the form, linking each problem to its field (GOV.UK pattern). */
export function errorSummary(rc: RenderContext, errors: FormErrors): SafeHtml {
  const entries = Object.entries(errors);
  if (entries.length === 0) return raw('');
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><h2>${rc.t.errorSummary}</h2><ul>${entries.map(
    ([field, message]) => html`<li><a href="#${field}">${message}</a></li>`,
  )}</ul></div>`;
}

/** aria attributes for a control that may have an error. */
export const invalidAttrs = (errors: FormErrors, field: string, describedBy?: string): SafeHtml => {
  const ids = [errors[field] ? `${field}-error` : null, describedBy ?? null].filter((x): x is string => x !== null);
  return html`${errors[field] ? raw(' aria-invalid="true"') : null}${ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : null}`;
};
