import { escapeHtml } from './html.js';

/**
 * A small server-rendered page for the sign-in steps (chooser, refusals, signed out), with no
 * script so it works before any session exists and under the strict CSP.
 */
export function simplePage(title: string, bodyHtml: string, lang = 'en'): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/portal.css"></head>
<body><main id="main" class="page narrow"><h1>${escapeHtml(title)}</h1>
${bodyHtml}
</main></body></html>`;
}
