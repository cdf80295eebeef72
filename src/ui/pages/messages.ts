import type { MessagingOptions } from '../../portal/portal.js';
import { isLocalMessage, type MessageAttachment, type MessageView, type ThreadList, type ThreadView } from '../../views/messages.js';
import { fileSize } from '../format.js';
import { html, raw, type SafeHtml } from '../html.js';
import { icons } from '../icons.js';
import { flash, listNotices, unavailable, type PageContent } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';
import { csrfField, errorSummary, fieldError, invalidAttrs, type FormErrors } from './forms.js';

export function renderInbox(rc: RenderContext, chrome: Chrome, list: ThreadList | null, notice: string | null = null): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.messagesTitle;
  if (!chrome.features.messages.read || list === null) return { title, body: unavailable(rc, 'messages', 'read') };
  const compose = chrome.features.messages.write ? html`<p><a class="button" href="/messages/new">${t.newMessage}</a></p>` : unavailable(rc, 'messages', 'write');
  const items = list.items.map((th) => {
    const unread = th.unread > 0;
    return html`<li class="card thread${unread ? ' is-unread' : ''}">
<h2 class="thread-subject"><a href="/messages/${encodeURIComponent(th.id)}">${th.subject}</a></h2>
${unread ? html`<p class="unread-badge">${icons.unread()} <strong>${t.unreadCount(th.unread)}</strong></p>` : null}
<p class="meta"><span>${t.category}: ${th.category.label}</span> · <span>${t.messageCount(th.messageCount)}</span>${
      th.lastActivity ? html` · <span>${t.lastActivity}: ${th.lastActivity.display}</span>` : null
    }</p>
${th.participants.length > 0 ? html`<p class="meta">${t.with}: ${th.participants.map((p) => p.name).join(', ')}</p>` : null}
${th.snippet ? html`<p class="snippet">${th.snippet}</p>` : null}
</li>`;
  });
  return {
    title,
    body: html`${flash(notice)}${compose}${listNotices(rc, list)}${list.held > 0 ? html`<p class="notice notice-info pending-line" role="note">${t.messagesWaiting(list.held)}</p>` : null}${
      list.items.length === 0 ? html`<p>${t.noThreads}</p>` : html`<ul class="cards-list" aria-label="${t.inboxCaption}">${items}</ul>`
    }`,
  };
}

export interface ComposeValues {
  purpose: string;
  subject: string;
  body: string;
}

function attachmentInput(rc: RenderContext, opts: MessagingOptions, errors: FormErrors): SafeHtml {
  if (opts.maxAttachments <= 0) return raw('');
  const hint = rc.t.attachmentsHint(opts.maxAttachments, fileSize(opts.maxAttachmentBytes, rc.locale));
  return html`<div class="field"><label for="attachments">${rc.t.attachments} <span class="hint">(${rc.t.optional})</span></label>
<p class="hint" id="attachments-hint">${hint}</p>${fieldError(errors, 'attachments')}
<input type="file" id="attachments" name="attachments" accept=".pdf,.jpg,.jpeg,.png" multiple data-max-files="${opts.maxAttachments}" data-max-bytes="${opts.maxAttachmentBytes}"${invalidAttrs(errors, 'attachments', 'attachments-hint')}></div>`;
}

function bodyField(rc: RenderContext, opts: MessagingOptions, errors: FormErrors, value: string, label: string): SafeHtml {
  return html`<div class="field"><label for="body">${label}</label>
<p class="hint" id="body-hint">${rc.t.bodyHint(opts.maxBodyChars)}</p>${fieldError(errors, 'body')}
<textarea id="body" name="body" rows="8" maxlength="${opts.maxBodyChars}" required data-counter="body-count"${invalidAttrs(errors, 'body', 'body-hint body-count')}>${value}</textarea>
<p class="counter hint" id="body-count" data-template="${rc.t.charCount('{n}', opts.maxBodyChars)}" hidden></p></div>`;
}

/** The emergency notice and expected response time, always above the form (read before writing). */
function beforeYouWrite(rc: RenderContext, opts: MessagingOptions): SafeHtml {
  return html`<section class="notice notice-emergency" aria-labelledby="emergency-heading"><h2 id="emergency-heading">${icons.warning()} ${rc.t.emergencyHeading}</h2><p>${opts.emergencyNotice}</p></section>
<section class="notice notice-info" aria-labelledby="response-heading"><h2 id="response-heading">${icons.clock()} ${rc.t.responseTimeHeading}</h2><p>${opts.responseTime}</p></section>`;
}

export function renderCompose(
  rc: RenderContext,
  chrome: Chrome,
  opts: MessagingOptions,
  values: ComposeValues,
  errors: FormErrors,
): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.composeTitle;
  if (!chrome.features.messages.write) return { title, body: unavailable(rc, 'messages', 'write') };
  if (!opts.enabled) return { title, body: html`<p class="notice notice-info">${t.messagingOff}</p>` };
  const body = html`${beforeYouWrite(rc, opts)}
${errorSummary(rc, errors)}
<form method="post" action="/messages/new" enctype="multipart/form-data" class="form" novalidate data-draft="compose" data-busy>
${csrfField(chrome)}
<div class="field"><label for="purpose">${t.purpose}</label>${fieldError(errors, 'purpose')}
<select id="purpose" name="purpose" required${invalidAttrs(errors, 'purpose')}><option value="">${t.choosePurpose}</option>${opts.purposes.map(
    (p) => html`<option value="${p.code}"${values.purpose === p.code ? ' selected' : ''}>${p.label}</option>`,
  )}</select></div>
<div class="field"><label for="subject">${t.subject}</label>${fieldError(errors, 'subject')}
<input type="text" id="subject" name="subject" value="${values.subject}" maxlength="${opts.maxSubjectChars}" required autocomplete="off"${invalidAttrs(errors, 'subject')}></div>
${bodyField(rc, opts, errors, values.body, t.body)}
${attachmentInput(rc, opts, errors)}
<button type="submit">${t.send}</button>
</form>`;
  return { title, body };
}

function deliveryLine(rc: RenderContext, m: MessageView): SafeHtml {
  const { t } = rc;
  // What the outbox says about the viewer's own undelivered message (overdue, waiting, the EHR's reason).
  const note = m.deliveryNote;
  switch (m.status) {
    case 'sending':
      return html`<p class="delivery delivery-sending">${icons.clock()} <span>${t.deliveryStatus}: ${t.status.sending}${note ? html` — ${note}` : null}</span></p>`;
    case 'retrying':
      return html`<p class="delivery delivery-retrying">${icons.warning()} <span>${t.deliveryStatus}: ${t.status.retrying}${note ? html` — ${note}` : null}</span></p>`;
    case 'delivered':
      return html`<p class="delivery delivery-delivered">${icons.check()} <span>${t.deliveryStatus}: ${t.status.delivered}</span></p>`;
    case 'rejected':
      return html`<div class="delivery delivery-rejected"><p>${icons.critical()} <span>${t.deliveryStatus}: ${note ? t.rejectedReason(note) : t.status.rejected}</span></p>
<label for="copy-${m.id}">${t.rejectedCopy}</label>
<textarea id="copy-${m.id}" readonly rows="4">${m.body}</textarea></div>`;
  }
}

/** A link to the file, or why there is none: the patient's own file is not in the EHR until delivered. */
function attachmentLink(rc: RenderContext, m: MessageView, a: MessageAttachment): SafeHtml {
  if (a.url) return html`<a href="${a.url}">${a.title}</a>`;
  return html`${a.title} <span class="hint">(${isLocalMessage(m.id) ? rc.t.attachmentAfterDelivery : rc.t.attachmentNotOnline})</span>`;
}

function messageItem(rc: RenderContext, m: MessageView, isLast: boolean): SafeHtml {
  const { t } = rc;
  const mine = m.from.kind !== 'staff';
  return html`<li class="message${mine ? ' mine' : ' theirs'}${m.unread ? ' is-unread' : ''}"${isLast ? raw(' id="latest"') : null}>
<p class="message-head"><strong>${m.from.self ? t.you : m.from.name}</strong>${m.unread ? html` <span class="unread-badge">${icons.unread()} ${t.unread}</span>` : null}<br><span class="meta">${
    m.sent ? html`${t.sentAt}: <time datetime="${m.sent.iso}">${m.sent.display}</time>` : t.notSent
  }</span></p>
<div class="message-body prewrap">${m.body}</div>
${
  m.attachments.length > 0
    ? html`<div class="attachments"><p class="meta">${t.attachmentsHeading}:</p><ul>${m.attachments.map(
        (a) =>
          html`<li>${attachmentLink(rc, m, a)}${
            a.size !== null ? html` <span class="hint">(${fileSize(a.size, rc.locale)})</span>` : null
          }</li>`,
      )}</ul></div>`
    : null
}
${mine ? deliveryLine(rc, m) : null}
</li>`;
}

/** The reply form under its heading: in a conversation, and on its outage page when the reply can be taken without the EHR. */
export function replySection(rc: RenderContext, chrome: Chrome, threadId: string, opts: MessagingOptions, reply: { body: string; errors: FormErrors }): SafeHtml {
  const { t } = rc;
  if (!chrome.features.messages.write || !opts.enabled) return unavailable(rc, 'messages', 'write');
  return html`<section aria-labelledby="reply-heading" class="reply"><h2 id="reply-heading">${t.reply}</h2>
<p class="hint">${opts.emergencyNotice}</p>
${errorSummary(rc, reply.errors)}
<form method="post" action="/messages/${encodeURIComponent(threadId)}/reply" enctype="multipart/form-data" class="form" novalidate data-draft="reply-${threadId}" data-busy>
${csrfField(chrome)}
${bodyField(rc, opts, reply.errors, reply.body, t.replyLabel)}
${attachmentInput(rc, opts, reply.errors)}
<button type="submit">${t.sendReply}</button>
</form></section>`;
}

export function renderThread(
  rc: RenderContext,
  chrome: Chrome,
  thread: ThreadView,
  opts: MessagingOptions,
  reply: { body: string; errors: FormErrors },
  sent: boolean,
): PageContent {
  const { t } = rc;
  const last = thread.messages.length - 1;
  const waiting = thread.messages.some((m) => m.from.kind !== 'staff' && (m.status === 'sending' || m.status === 'retrying'));
  const replyForm = replySection(rc, chrome, thread.id, opts, reply);
  return {
    title: t.threadTitle,
    heading: thread.subject,
    body: html`${flash(sent ? t.messageSent : null)}
<p class="meta">${t.category}: ${thread.category.label}${thread.participants.length > 0 ? html` · ${t.with}: ${thread.participants.map((p) => p.name).join(', ')}` : null}</p>
<ol class="messages" aria-label="${t.messagesFrom}">${thread.messages.map((m, i) => messageItem(rc, m, i === last))}</ol>
${waiting ? html`<p><a href="/messages/${encodeURIComponent(thread.id)}#latest">${t.refreshStatus}</a></p>` : null}
${replyForm}
<p><a href="/messages">${t.backTo(t.messagesTitle)}</a></p>`,
  };
}
