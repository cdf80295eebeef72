import { escapeHtml } from './html.js';

/** A plain, self-contained error page for browser requests (no script; styles from /assets). */
export function renderErrorPage(e: { status: number; code: string; message: string; action?: string; correlationId: string }): string {
  const title = e.status === 401 ? 'Please sign in again' : e.status === 403 ? 'Not available' : e.status === 404 ? 'Page not found' : e.status >= 500 ? 'Something went wrong' : 'We could not do that';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/portal.css"></head>
<body><main id="main" class="page error-page"><h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(e.message)}</p>${e.action ? `<p>${escapeHtml(e.action)}</p>` : ''}
<p class="muted">Reference: <code>${escapeHtml(e.correlationId)}</code> (${escapeHtml(e.code)})</p>
</main></body></html>`;
}
