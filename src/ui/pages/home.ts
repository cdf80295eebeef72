import type { SummaryView } from '../../views/summary.js';
import { html, type SafeHtml } from '../html.js';
import { unavailable } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';
import { appointmentWhen } from './appointments.js';

/** First given name for the greeting ("Maria Elena Lopez" → "Maria"); the full name is in the intro sentence. */
function firstName(name: string | null): string | null {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first : null;
}

export function renderHome(rc: RenderContext, chrome: Chrome, summary: SummaryView | null): { title: string; body: SafeHtml } {
  const { t } = rc;
  const isProxy = chrome.viewer.kind === 'proxy';
  const greetName = isProxy ? firstName(chrome.viewer.name) : firstName(chrome.patientName);
  const title = greetName ? t.hello(greetName) : t.helloNoName;
  const f = chrome.features;
  // Whose record this is, said in the sentence itself (a proxy sees "Emma's record").
  const intro = html`<p class="lead">${chrome.patientName ? (isProxy ? t.homeIntroProxy : t.homeIntroNamed)(chrome.patientName) : t.homeIntro}</p>`;
  if (summary === null) return { title, body: intro };

  const messages = f.messages.read
    ? html`<p>${t.unreadMessages(summary.messages.unread)}</p>${
        summary.messages.held > 0 ? html`<p class="pending-line">${t.messagesWaiting(summary.messages.held)}</p>` : null
      }${
        summary.messages.newestThread
          ? html`<p>${t.latestThread}: <a href="/messages/${encodeURIComponent(summary.messages.newestThread.id)}">${summary.messages.newestThread.subject}</a></p>`
          : null
      }<p><a href="/messages">${t.goToMessages}</a>${f.messages.write ? html` · <a href="/messages/new">${t.newMessage}</a>` : null}</p>`
    : unavailable(rc, 'messages', 'read');

  const next = summary.appointments.next[0];
  const appointments = f.appointments.read
    ? html`${
        next
          ? html`<p><strong>${next.title}</strong></p><p>${appointmentWhen(rc, next)}</p>${next.location ? html`<p>${next.location.name}</p>` : null}${
              next.telehealth ? html`<p>${t.video}</p>` : null
            }`
          : html`<p>${t.noUpcoming}</p>`
      }<p><a href="/appointments">${t.goToAppointments}</a></p>`
    : unavailable(rc, 'appointments', 'read');

  const results = f.results.read
    ? html`<p>${t.newResults(summary.results.new)}</p>${
        summary.results.pending > 0 ? html`<p class="pending-line">${t.resultsWaiting(summary.results.pending)}</p>` : null
      }<p><a href="/results">${t.goToResults}</a></p>`
    : unavailable(rc, 'results', 'read');

  const documents = f.documents.read
    ? html`<p>${t.newDocuments(summary.documents.new)}</p>${
        summary.documents.pending > 0 ? html`<p class="pending-line">${t.documentsWaiting(summary.documents.pending)}</p>` : null
      }<p><a href="/documents">${t.goToDocuments}</a></p>`
    : unavailable(rc, 'documents', 'read');

  const card = (id: string, heading: string, content: SafeHtml) =>
    html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${heading}</h2>${content}</section>`;
  return {
    title,
    body: html`${intro}<div class="cards">${card('home-messages', t.nav.messages, messages)}${card('home-appointments', t.nextAppointment, appointments)}${card(
      'home-results',
      t.nav.results,
      results,
    )}${card('home-documents', t.nav.documents, documents)}</div>${summary.cut ? html`<p class="muted">${t.summaryCut}</p>` : null}`,
  };
}
