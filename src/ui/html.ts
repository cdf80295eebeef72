import { escapeHtml } from '../http/html.js';

/** Markup that is already safe: produced by `html` or `raw`, never by concatenating input. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(part);
}

/**
 * Escape-by-default templating: every interpolated value is HTML-escaped unless it is SafeHtml,
 * so patient data (message bodies, names) can never become markup. `true`/`false`/null render as
 * nothing, which keeps `${cond && html`…`}` readable.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted constant markup (icons); never call with input. */
export const raw = (markup: string): SafeHtml => new SafeHtml(markup);

/** An attribute present only when `on` is true (`disabled`, `required`, `aria-current`). */
export const attr = (name: string, value: string | number | null | undefined | boolean): SafeHtml =>
  value === null || value === undefined || value === false ? raw('') : value === true ? raw(` ${name}`) : html` ${raw(name)}="${String(value)}"`;
