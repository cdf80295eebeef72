/**
 * The one page frame: skip link, header (clinic, nav, language, sign out), patient banner or
 * proxy notice, <main id="main">, footer, and the idle-timeout dialog that portal.js opens.
 * No inline script or style anywhere (CSP script-src/style-src 'self').
 */
import { attr, html, raw, type SafeHtml } from './html.js';
import { calendarDay } from './format.js';
import type { Chrome, NavKey, RenderContext } from './render-context.js';

export interface PageInput {
  /** The start of <title>, and the page's one h1 unless `heading` is given. */
  title: string;
  /** The h1 when it must not be the <title>: a name that is PHI stays off tabs, history and bookmarks. */
  heading?: string;
  active: NavKey | null;
  body: SafeHtml;
  /** Draft forms on this page to clear because the server confirmed they were sent. */
  clearDrafts?: string[];
}

/** What a page's render function returns. */
export type PageContent = Pick<PageInput, 'title' | 'heading' | 'body'>;

const NAV: readonly NavKey[] = ['home', 'messages', 'appointments', 'results', 'documents', 'activity'];
const HREF: Record<NavKey, string> = {
  home: '/',
  messages: '/messages',
  appointments: '/appointments',
  results: '/results',
  documents: '/documents',
  activity: '/activity',
};

function languageLink(rc: RenderContext, chrome: Chrome): SafeHtml {
  const to = rc.locale === 'en' ? 'es' : 'en';
  const href = `/language?to=${to}&back=${encodeURIComponent(chrome.path)}`;
  return html`<a class="lang-switch" href="${href}" hreflang="${to}" lang="${to}" aria-label="${rc.t.otherLanguageLabel}">${rc.t.otherLanguage}</a>`;
}

function patientContext(rc: RenderContext, chrome: Chrome): SafeHtml {
  const { t } = rc;
  const patient = chrome.patientName ?? t.theirRecord;
  const proxy =
    chrome.viewer.kind === 'proxy'
      ? html`<p class="proxy-notice">${chrome.viewer.relationship ? t.viewingAs(patient, chrome.viewer.relationship) : t.viewingAsNoRelationship(patient)}</p>`
      : null;
  const born = chrome.patientBirthDate ? calendarDay(chrome.patientBirthDate, rc.locale, 'UTC')?.label : undefined;
  const banner =
    chrome.needPatientBanner && chrome.patientName
      ? html`<div class="patient-banner"><span class="label">${t.patientBanner}:</span> <strong>${chrome.patientName}</strong>${born ? html` <span class="born">${t.bornOn(born)}</span>` : null}</div>`
      : null;
  return html`${banner}${proxy}`;
}

export function layout(rc: RenderContext, chrome: Chrome, page: PageInput): SafeHtml {
  const { t } = rc;
  const nav = NAV.map(
    (key) => html`<li><a href="${HREF[key]}"${attr('aria-current', page.active === key ? 'page' : null)}>${t.nav[key]}</a></li>`,
  );
  return html`<!doctype html>
<html lang="${rc.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} – ${chrome.clinicName}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/portal.css">
${chrome.themeHref ? html`<link rel="stylesheet" href="${chrome.themeHref}">` : null}
<script src="/assets/portal.js" defer></script>
</head>
<body data-draft-scope="${chrome.draftScope}"${attr('data-clear-drafts', page.clearDrafts?.length ? page.clearDrafts.join(' ') : null)} data-session="active">
<a class="skip-link" href="#main">${t.skipToContent}</a>
<header class="site-header">
  <div class="header-row">
    <a class="clinic" href="/">${chrome.logoUrl ? html`<img src="${chrome.logoUrl}" alt="" class="logo" width="32" height="32">` : null}<span>${chrome.clinicName}</span></a>
    <div class="header-tools">
      ${languageLink(rc, chrome)}
      <form method="post" action="/logout" class="signout">
        <input type="hidden" name="_csrf" value="${chrome.csrfToken}">
        <button type="submit" class="button-secondary">${t.signOut}</button>
      </form>
    </div>
  </div>
  <nav aria-label="${t.mainNav}"><ul class="nav">${nav}</ul></nav>
  ${patientContext(rc, chrome)}
</header>
<main id="main" tabindex="-1">
<h1>${page.heading ?? page.title}</h1>
${page.body}
</main>
<footer class="site-footer">
  <p>${t.footerHelp(chrome.clinicName)} ${chrome.supportPhone ? t.footerCall(chrome.supportPhone) : null}</p>
  <p>${t.footerEmergency}</p>
</footer>
<dialog id="idle-dialog" class="idle-dialog" aria-labelledby="idle-title" aria-describedby="idle-body">
  <h2 id="idle-title">${t.idleTitle}</h2>
  <p id="idle-body">${t.idleBody}</p>
  <button type="button" id="idle-stay">${t.idleStay}</button>
</dialog>
<p id="live-status" class="visually-hidden" role="status" data-stayed="${t.idleStayed}" data-restored="${t.draftRestored}" data-sending="${t.sending}"></p>
</body>
</html>`;
}

/** "Not available" for a section the session's scopes do not allow, in the page's language. */
export function unavailable(rc: RenderContext, feature: keyof RenderContext['t']['featureWords'], access: 'read' | 'write'): SafeHtml {
  const what = rc.t.featureWords[feature];
  return html`<div class="notice notice-info" role="note"><p><strong>${rc.t.unavailableTitle}.</strong> ${access === 'read' ? rc.t.unavailableRead(what) : rc.t.unavailableWrite(what)}</p></div>`;
}

/** Notices for list envelopes: items left out because they were malformed, or a cut list. */
export function listNotices(rc: RenderContext, list: { skipped: number; cut?: boolean | undefined }): SafeHtml {
  return html`${list.skipped > 0 ? html`<div class="notice notice-warning" role="note"><p>${rc.t.skipped(list.skipped)} ${rc.t.skippedHelp}</p></div>` : null}${
    list.cut ? html`<p class="notice notice-info" role="note">${rc.t.cut}</p>` : null
  }`;
}

/** A status message shown after a POST/redirect/GET (role=status: announced, not focus-stealing). */
export function flash(message: string | null): SafeHtml {
  return message ? html`<div class="notice notice-success" role="status"><p>${message}</p></div>` : raw('');
}
