import type { MessagingOptions, NewDocumentUpload } from '../../portal/portal.js';
import type { DocumentList, DocumentView, UploadView } from '../../views/documents.js';
import type { PendingView } from '../../views/pending.js';
import { fileSize } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { flash, listNotices, unavailable } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';
import { csrfField, errorSummary, fieldError, invalidAttrs, type FormErrors } from './forms.js';
import { pendingBlock } from './results.js';

export const UPLOAD_CATEGORIES: readonly NewDocumentUpload['category'][] = ['insurance-card', 'form', 'outside-record', 'other'];
export const DESCRIPTION_MAX = 200;

export interface UploadValues {
  category: string;
  description: string;
}

function documentCard(rc: RenderContext, d: DocumentView): SafeHtml {
  const { t } = rc;
  return html`<li class="card document">
<h2 class="card-title">${d.title}</h2>
<dl class="facts">
${d.type || d.category ? html`<div><dt>${t.documentType}</dt><dd>${[d.type, d.category].filter(Boolean).join(' · ')}</dd></div>` : null}
${d.date ? html`<div><dt>${t.documentDate}</dt><dd><time datetime="${d.date.iso}">${d.date.display}</time></dd></div>` : null}
${d.authors.length > 0 ? html`<div><dt>${t.documentAuthors}</dt><dd>${d.authors.join(', ')}</dd></div>` : null}
${d.size !== null ? html`<div><dt>${t.documentSize}</dt><dd>${fileSize(d.size, rc.locale)}</dd></div>` : null}
</dl>
${d.description && d.description !== d.title ? html`<p>${d.description}</p>` : null}
<div class="actions"><a class="button-secondary" href="${d.url}?disposition=inline">${t.view}<span class="visually-hidden">: ${d.title}</span></a> <a class="button-secondary" href="${d.url}" download>${t.download}<span class="visually-hidden">: ${d.title}</span></a></div>
${d.contentCount > 1 ? html`<p class="hint">${t.moreFormats(d.contentCount)}</p>` : null}
</li>`;
}

/** A file the patient sent from here that the EHR does not show yet. */
function uploadCard(rc: RenderContext, u: UploadView): SafeHtml {
  const { t } = rc;
  const { status, note } = u.delivery;
  const words = status === 'rejected' && note ? t.rejectedReason(note) : html`${t.status[status]}${note ? html` — ${note}` : null}`;
  return html`<li class="card document">
<h2 class="card-title">${u.title}</h2>
<p class="delivery delivery-${status}">${t.deliveryStatus}: ${words}</p>
<dl class="facts">
<div><dt>${t.documentType}</dt><dd>${t.categories[u.category as keyof typeof t.categories] ?? u.category}</dd></div>
${u.date ? html`<div><dt>${t.documentDate}</dt><dd><time datetime="${u.date.iso}">${u.date.display}</time></dd></div>` : null}
<div><dt>${t.documentSize}</dt><dd>${fileSize(u.size, rc.locale)}</dd></div>
</dl>
</li>`;
}

function uploadForm(rc: RenderContext, chrome: Chrome, limits: Pick<MessagingOptions, 'maxAttachmentBytes'>, values: UploadValues, errors: FormErrors): SafeHtml {
  const { t } = rc;
  if (!chrome.features.documents.write) return unavailable(rc, 'documents', 'write');
  return html`${errorSummary(rc, errors)}
<form method="post" action="/documents" enctype="multipart/form-data" class="form" novalidate data-busy>
${csrfField(chrome)}
<div class="field"><label for="category">${t.uploadCategory}</label>${fieldError(errors, 'category')}
<select id="category" name="category" required${invalidAttrs(errors, 'category')}><option value="">${t.choosePurpose}</option>${UPLOAD_CATEGORIES.map(
    (c) => html`<option value="${c}"${values.category === c ? ' selected' : ''}>${t.categories[c]}</option>`,
  )}</select></div>
<div class="field"><label for="description">${t.uploadDescription}</label>${fieldError(errors, 'description')}
<input type="text" id="description" name="description" value="${values.description}" maxlength="${DESCRIPTION_MAX}" required autocomplete="off"${invalidAttrs(errors, 'description')}></div>
<div class="field"><label for="file">${t.uploadFile}</label><p class="hint" id="file-hint">${t.uploadHint(fileSize(limits.maxAttachmentBytes, rc.locale))}</p>${fieldError(errors, 'file')}
<input type="file" id="file" name="file" accept=".pdf,.jpg,.jpeg,.png" required data-max-bytes="${limits.maxAttachmentBytes}"${invalidAttrs(errors, 'file', 'file-hint')}></div>
<button type="submit">${t.uploadSubmit}</button>
</form>`;
}

/** The upload form under its heading: on the documents page, and on its outage page (an upload needs no EHR to be taken). */
export function uploadSection(
  rc: RenderContext,
  chrome: Chrome,
  upload: { limits: Pick<MessagingOptions, 'maxAttachmentBytes'>; values: UploadValues; errors: FormErrors },
): SafeHtml {
  return html`<section aria-labelledby="upload-h" class="upload"><h2 id="upload-h">${rc.t.uploadTitle}</h2>${uploadForm(rc, chrome, upload.limits, upload.values, upload.errors)}</section>`;
}

export function renderDocuments(
  rc: RenderContext,
  chrome: Chrome,
  list: DocumentList | null,
  upload: { limits: Pick<MessagingOptions, 'maxAttachmentBytes'>; values: UploadValues; errors: FormErrors },
  notice: string | null,
): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.documentsTitle;
  const listPart =
    !chrome.features.documents.read || list === null
      ? unavailable(rc, 'documents', 'read')
      : html`${listNotices(rc, list)}${
          list.items.length === 0
            ? html`<p>${t.noDocuments}</p>`
            : html`<ul class="cards-list">${list.items.map((d) =>
                d.status === 'pending' ? html`<li class="card">${pendingBlock(rc, d as PendingView, 'document', 2)}</li>` : d.status === 'upload' ? uploadCard(rc, d) : documentCard(rc, d),
              )}</ul>`
        }`;
  return {
    title,
    body: html`${flash(notice)}${listPart}${uploadSection(rc, chrome, upload)}`,
  };
}
