import { APPOINTMENT_GROUPS, type AppointmentList, type AppointmentView } from '../../views/appointments.js';
import { html, type SafeHtml } from '../html.js';
import { flash, listNotices, unavailable } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';
import { csrfField, errorSummary, fieldError, invalidAttrs, type FormErrors } from './forms.js';

export function appointmentWhen(rc: RenderContext, a: AppointmentView): string {
  return a.when ?? a.start?.display ?? rc.t.whenNotSet;
}

/** A request the EHR refused (shown cancelled); a refused cancellation leaves the EHR's status and its own label says so. */
const refusedRequest = (a: AppointmentView) => a.delivery?.status === 'rejected' && a.status === 'cancelled';

function appointmentCard(rc: RenderContext, chrome: Chrome, a: AppointmentView): SafeHtml {
  const { t } = rc;
  const id = `appt-${a.id}`;
  const actions: SafeHtml[] = [];
  if (a.group === 'upcoming') {
    actions.push(
      html`<a class="button-secondary" href="/appointments/${encodeURIComponent(a.id)}.ics" download>${t.addToCalendar}<span class="visually-hidden">: ${a.title}</span></a>`,
    );
  }
  if (a.group === 'requested' && chrome.features.appointments.write) {
    actions.push(html`<form method="post" action="/appointments/${encodeURIComponent(a.id)}/cancel" class="inline-form" data-busy>
${csrfField(chrome)}<button type="submit" class="button-secondary">${t.cancelRequest}<span class="visually-hidden">: ${a.title}</span></button></form>`);
  }
  return html`<li class="card appointment">
<h3 id="${id}">${a.title}</h3>
<p class="status-line">${a.statusLabel}</p>
${a.delivery?.note ? html`<p class="delivery delivery-${a.delivery.status}">${refusedRequest(a) ? t.rejectedReason(a.delivery.note) : a.delivery.note}</p>` : null}
<dl class="facts">
  <div><dt>${t.when}</dt><dd>${appointmentWhen(rc, a)}</dd></div>
  ${a.requestedPeriods.length > 0 ? html`<div><dt>${t.youAsked}</dt><dd><ul class="plain">${a.requestedPeriods.map((p) => html`<li>${p.display}</li>`)}</ul></dd></div>` : null}
  ${a.reason && a.reason !== a.title ? html`<div><dt>${t.visitReason}</dt><dd>${a.reason}</dd></div>` : null}
  ${a.practitioners.length > 0 ? html`<div><dt>${t.withWhom}</dt><dd>${a.practitioners.map((p, i) => html`${i > 0 ? ', ' : ''}${p.name}${p.role ? ` (${p.role})` : ''}`)}</dd></div>` : null}
  ${a.location ? html`<div><dt>${t.where}</dt><dd>${a.location.name}${a.location.address ? html`<br>${a.location.address}` : null}${a.location.phone ? html`<br>${t.phone}: <a href="tel:${a.location.phone.replace(/[^0-9+]/g, '')}">${a.location.phone}</a>` : null}</dd></div>` : null}
  ${a.instructions ? html`<div><dt>${t.instructions}</dt><dd class="prewrap">${a.instructions}</dd></div>` : null}
</dl>
${a.telehealth && (a.group === 'upcoming' || a.group === 'requested') ? html`<p><a href="${a.telehealth.url}" rel="noopener noreferrer" target="_blank">${t.joinVideo}</a></p>` : null}
${actions.length > 0 ? html`<div class="actions">${actions}</div>` : null}
</li>`;
}

export function renderAppointments(rc: RenderContext, chrome: Chrome, list: AppointmentList | null, notice: string | null): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.appointmentsTitle;
  if (!chrome.features.appointments.read || list === null) return { title, body: unavailable(rc, 'appointments', 'read') };
  const groups = APPOINTMENT_GROUPS.map((g) => {
    const items = list.items.filter((a) => a.group === g);
    return html`<section aria-labelledby="group-${g}"><h2 id="group-${g}">${t.groups[g]} <span class="count">(${items.length})</span></h2>${
      items.length === 0 ? html`<p class="muted">${t.noneInGroup[g]}</p>` : html`<ul class="cards-list">${items.map((a) => appointmentCard(rc, chrome, a))}</ul>`
    }</section>`;
  });
  return {
    title,
    body: html`${flash(notice)}${
      chrome.features.appointments.write ? html`<p><a class="button" href="/appointments/request">${t.requestAppointment}</a></p>` : unavailable(rc, 'appointments', 'write')
    }${listNotices(rc, list)}${groups}`,
  };
}

export interface AppointmentRequestValues {
  reason: string;
  visitType: string;
  dates: { date: string; partOfDay: string }[];
  notes: string;
}

export const emptyRequest = (): AppointmentRequestValues => ({ reason: '', visitType: 'in-person', dates: [{ date: '', partOfDay: 'any' }], notes: '' });

export const REASON_MAX = 500;
export const NOTES_MAX = 1000;

export function renderAppointmentRequest(
  rc: RenderContext,
  chrome: Chrome,
  values: AppointmentRequestValues,
  errors: FormErrors,
  today: string,
): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.requestTitle;
  if (!chrome.features.appointments.write) return { title, body: unavailable(rc, 'appointments', 'write') };
  const slots = [0, 1, 2].map((i) => {
    const v = values.dates[i] ?? { date: '', partOfDay: 'any' };
    const dateField = `date${i}`;
    const partField = `part${i}`;
    return html`<fieldset class="slot"><legend>${t.preferredDate(i + 1)}${i > 0 ? html` <span class="hint">(${t.optional})</span>` : null}</legend>
<div class="field"><label for="${dateField}">${t.date}</label>${fieldError(errors, dateField)}
<input type="date" id="${dateField}" name="${dateField}" value="${v.date}" min="${today}"${invalidAttrs(errors, dateField)}${i === 0 ? ' required' : ''}></div>
<div class="field"><label for="${partField}">${t.partOfDay}</label>
<select id="${partField}" name="${partField}">${(['any', 'morning', 'afternoon'] as const).map((p) => html`<option value="${p}"${v.partOfDay === p ? ' selected' : ''}>${t.parts[p]}</option>`)}</select></div>
</fieldset>`;
  });
  const body = html`<p>${t.requestIntro}</p>
${errorSummary(rc, errors)}
<form method="post" action="/appointments/request" class="form" novalidate data-draft="appointment-request" data-busy>
${csrfField(chrome)}
<div class="field"><label for="reason">${t.reason}</label>${fieldError(errors, 'reason')}
<textarea id="reason" name="reason" rows="3" maxlength="${REASON_MAX}" required${invalidAttrs(errors, 'reason')}>${values.reason}</textarea></div>
<fieldset><legend>${t.visitType}</legend>${fieldError(errors, 'visitType')}
<div class="choice"><input type="radio" id="visit-in-person" name="visitType" value="in-person"${values.visitType !== 'video' ? ' checked' : ''}><label for="visit-in-person">${t.inPerson}</label></div>
<div class="choice"><input type="radio" id="visit-video" name="visitType" value="video"${values.visitType === 'video' ? ' checked' : ''}><label for="visit-video">${t.video}</label></div>
</fieldset>
<h2>${t.preferredDates}</h2>
${fieldError(errors, 'dates')}
${slots}
<div class="field"><label for="notes">${t.requestNotes} <span class="hint">(${t.optional})</span></label>
<textarea id="notes" name="notes" rows="3" maxlength="${NOTES_MAX}">${values.notes}</textarea></div>
<button type="submit">${t.submitRequest}</button>
</form>`;
  return { title, body };
}
