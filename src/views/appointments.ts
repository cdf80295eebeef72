/**
 * Appointments in four groups: upcoming, requested (proposed / pending / waitlist), past and
 * cancelled (cancelled / noshow). Entered-in-error appointments are not shown.
 *
 * Telehealth link, first match wins (only https URLs without credentials are ever shown):
 * 1. the R5 `virtualService` backport extension on the Appointment (`addressUrl`), or any
 *    extension whose URL says virtual / telehealth / video / meeting and carries a URL value;
 * 2. a `contained` Endpoint (active) with an https address;
 * 3. the first https URL in `patientInstruction` (where most EHRs put "join here" links).
 * `comment` is not read: in R4 it is free text that may be meant for staff.
 * Spec: https://hl7.org/fhir/R4/appointment.html
 */
import { z } from 'zod';
import type { Address, Appointment, Extension } from 'fhir/r4.js';
import { checkResources } from '../fhir/resource-schemas.js';
import { DateViewSchema, formatInstant, formatSpan, toMillis } from './format-date.js';
import { checkedList, listEnvelope, mapChecked, type ListOptions } from './list.js';
import { DeliveryViewSchema, type Delivery, type DeliveryStatus } from './messages.js';
import { actorName, conceptText } from './names.js';
import { isOtherPatient } from './patient-scope.js';
import { referenceType, ResourceIndex } from './references.js';
import { checkContext, say, type ViewContext, type Words } from './view-context.js';

export { toIcs, type IcsOptions } from './ics.js';

export const APPOINTMENT_GROUPS = ['upcoming', 'requested', 'past', 'cancelled'] as const;
export type AppointmentGroup = (typeof APPOINTMENT_GROUPS)[number];

const STATUS_WORDS: Record<Exclude<Appointment['status'], 'entered-in-error'>, Words> = {
  booked: { en: 'Booked', es: 'Confirmada' },
  arrived: { en: 'Checked in', es: 'Llegada registrada' },
  'checked-in': { en: 'Checked in', es: 'Llegada registrada' },
  fulfilled: { en: 'Completed', es: 'Completada' },
  proposed: { en: 'Requested', es: 'Solicitada' },
  pending: { en: 'Waiting for the clinic to confirm', es: 'Esperando la confirmación de la clínica' },
  waitlist: { en: 'On the waiting list', es: 'En lista de espera' },
  cancelled: { en: 'Cancelled', es: 'Cancelada' },
  noshow: { en: 'Missed', es: 'No asistió' },
};
const PAST_BOOKED: Words = { en: 'Past appointment', es: 'Cita pasada' };
/** A request the patient made here, by where it is on its way to the EHR. */
const DELIVERY_WORDS: Record<DeliveryStatus, Words> = {
  sending: { en: 'Sending your request to the clinic', es: 'Enviando su solicitud a la clínica' },
  retrying: { en: 'Not sent yet: we keep trying. Call the clinic if it is urgent.', es: 'Aún no enviada: seguimos intentando. Llame a la clínica si es urgente.' },
  delivered: { en: 'Sent to the clinic', es: 'Enviada a la clínica' },
  rejected: { en: "Not accepted by the clinic's system", es: 'No aceptada por el sistema de la clínica' },
};
const CANCELLED_HERE: Words = { en: 'Cancelled', es: 'Cancelada' };
const CANCEL_ON_ITS_WAY: Words = { en: 'Cancelled: we are letting the clinic know', es: 'Cancelada: estamos avisando a la clínica' };
const CANCEL_REFUSED: Words = { en: 'Not cancelled: the clinic could not cancel this', es: 'No cancelada: la clínica no pudo cancelarla' };
const DEFAULT_TITLE: Words = { en: 'Appointment', es: 'Cita' };

export const AppointmentViewSchema = z.object({
  id: z.string().min(1),
  group: z.enum(APPOINTMENT_GROUPS),
  status: z.string().min(1),
  statusLabel: z.string().min(1),
  title: z.string().min(1),
  start: DateViewSchema.nullable(),
  end: DateViewSchema.nullable(),
  /** Start–end in one string, in the patient's time zone. */
  when: z.string().nullable(),
  timeZone: z.string().min(1),
  /** For requests: the times the patient asked for. */
  requestedPeriods: z.array(z.object({ start: z.string().nullable(), end: z.string().nullable(), display: z.string().min(1) })),
  practitioners: z.array(z.object({ name: z.string().min(1), role: z.string().nullable() })),
  location: z
    .object({ name: z.string().min(1), address: z.string().nullable(), phone: z.string().nullable() })
    .nullable(),
  telehealth: z.object({ url: z.url({ protocol: /^https$/ }) }).nullable(),
  instructions: z.string().nullable(),
  /** Why the visit is (reasonCode): for a request made here, what the patient wrote. */
  reason: z.string().nullable(),
  /** The EHR's last change (meta.lastUpdated), for calendar DTSTAMP / caching. */
  lastUpdated: z.string().nullable(),
  /**
   * A request made here that the EHR does not show yet, or an appointment cancelled here whose
   * cancellation is on its way: where it is, and the EHR's reason if it refused it. A refused
   * cancellation leaves the appointment's status as the EHR has it (status is not `cancelled`).
   */
  delivery: DeliveryViewSchema.nullable(),
});
export const AppointmentListSchema = listEnvelope(AppointmentViewSchema).extend({
  counts: z.object({
    upcoming: z.number().int().nonnegative(),
    requested: z.number().int().nonnegative(),
    past: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
  }),
});
export type AppointmentView = z.infer<typeof AppointmentViewSchema>;
export type AppointmentList = z.infer<typeof AppointmentListSchema>;

const VIRTUAL_SERVICE = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.virtualService';
const VIRTUAL_HINT = /virtual|telehealth|telemedicine|video|meeting/i;
const HTTPS_IN_TEXT = /https:\/\/[^\s<>"')\]]+/i;

/** An https URL without credentials, or undefined. */
export function safeHttpsUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value.replace(/[.,;:!?]+$/, ''));
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}

function urlFromExtensions(extensions: readonly Extension[] | undefined, depth = 0): string | undefined {
  if (extensions === undefined || depth > 2) return undefined;
  for (const e of extensions) {
    if (e.url === VIRTUAL_SERVICE) {
      const address = e.extension?.find((x) => x.url === 'addressUrl' || x.url === 'address');
      const url = safeHttpsUrl(address?.valueUrl ?? address?.valueUri ?? address?.valueString);
      if (url !== undefined) return url;
    }
  }
  for (const e of extensions) {
    if (VIRTUAL_HINT.test(e.url)) {
      const url = safeHttpsUrl(e.valueUrl ?? e.valueUri) ?? urlFromExtensions(e.extension, depth + 1);
      if (url !== undefined) return url;
    }
  }
  return undefined;
}

export function telehealthUrl(appt: Appointment, index: ResourceIndex): string | undefined {
  const fromExtension = urlFromExtensions(appt.extension);
  if (fromExtension !== undefined) return fromExtension;
  for (const c of appt.contained ?? []) {
    if (c.resourceType !== 'Endpoint' || c.id === undefined) continue;
    const endpoint = index.resolve(`#${c.id}`, ['Endpoint'], appt);
    if (endpoint?.status === 'active') {
      const url = safeHttpsUrl(endpoint.address);
      if (url !== undefined) return url;
    }
  }
  return safeHttpsUrl(HTTPS_IN_TEXT.exec(appt.patientInstruction ?? '')?.[0]);
}

export function addressLine(address: Address | undefined): string | undefined {
  if (address === undefined) return undefined;
  if (address.text !== undefined && address.text.trim() !== '') return address.text.trim();
  const cityLine = [address.city, [address.state, address.postalCode].filter(Boolean).join(' ')]
    .filter((s) => s !== undefined && s.trim() !== '')
    .join(', ');
  const parts = [...(address.line ?? []), cityLine].map((s) => s.trim()).filter((s) => s !== '');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** End of the appointment in ms: `end`, else start + minutesDuration, else start. */
function endMs(appt: Appointment): number {
  const end = toMillis(appt.end);
  if (!Number.isNaN(end)) return end;
  const start = toMillis(appt.start);
  return start + (appt.minutesDuration ?? 0) * 60_000;
}

export function appointmentGroup(appt: Appointment, now: Date): AppointmentGroup | undefined {
  switch (appt.status) {
    case 'proposed':
    case 'pending':
    case 'waitlist':
      return 'requested';
    case 'cancelled':
    case 'noshow':
      return 'cancelled';
    case 'fulfilled':
      return 'past';
    case 'booked':
    case 'arrived':
    case 'checked-in': {
      const end = endMs(appt);
      // A booked appointment without a time is still to come.
      return Number.isNaN(end) || end >= now.getTime() ? 'upcoming' : 'past';
    }
    default:
      return undefined;
  }
}

/** A request made here, or a cancellation made here, on its way to the EHR (see AppointmentView.delivery). */
export type RequestDelivery = Delivery;

/** A write made here about one appointment: the request that is it, or a cancellation of it. */
interface WriteAbout {
  of: 'request' | 'cancellation';
  delivery: RequestDelivery;
}

/** The status in plain words: for a write made here, where it is; otherwise the EHR's status. */
function statusWords(appt: Appointment, group: AppointmentGroup, about: WriteAbout | undefined): Words {
  if (about === undefined) return group === 'past' && appt.status === 'booked' ? PAST_BOOKED : STATUS_WORDS[appt.status as keyof typeof STATUS_WORDS];
  const { status } = about.delivery;
  if (status === 'rejected') return about.of === 'cancellation' ? CANCEL_REFUSED : DELIVERY_WORDS.rejected;
  if (about.of === 'request' && appt.status !== 'cancelled') return DELIVERY_WORDS[status];
  return status === 'delivered' ? CANCELLED_HERE : CANCEL_ON_ITS_WAY;
}

/**
 * What is said of a write made here. A refused cancellation is said only while the appointment is
 * still ahead: once it is past, or the clinic cancelled it after all, the EHR's status says it all.
 */
function writeAbout(appt: Appointment, group: AppointmentGroup, writes: AppointmentWrites): WriteAbout | undefined {
  const id = appt.id!;
  const request = writes.requests?.get(id);
  if (request !== undefined) return { of: 'request', delivery: request };
  const cancellation = writes.cancellations?.get(id);
  if (cancellation === undefined || (cancellation.status === 'rejected' && (group === 'past' || group === 'cancelled'))) return undefined;
  return { of: 'cancellation', delivery: cancellation };
}

/** The patient's writes about the appointments listed, by appointment id. */
export interface AppointmentWrites {
  /** Requests made here that the EHR does not show yet (listed under their own ids). */
  requests?: ReadonlyMap<string, RequestDelivery>;
  /** Cancellations made here of the EHR's appointments: on their way, or refused by the EHR. */
  cancellations?: ReadonlyMap<string, RequestDelivery>;
}

function mapAppointment(appt: Appointment, index: ResourceIndex, ctx: ViewContext, writes: AppointmentWrites): AppointmentView | undefined {
  const group = appointmentGroup(appt, ctx.now);
  if (group === undefined || appt.status === 'entered-in-error') return undefined;
  const about = writeAbout(appt, group, writes);
  const practitioners: AppointmentView['practitioners'] = [];
  let location: AppointmentView['location'] = null;
  for (const p of appt.participant) {
    if (p.actor === undefined || p.status === 'declined') continue;
    const actor = index.resolve(p.actor, ['Practitioner', 'PractitionerRole', 'Location'], appt);
    const type = actor?.resourceType ?? referenceType(p.actor.reference);
    if (type === 'Location' && location === null) {
      const loc = actor?.resourceType === 'Location' ? actor : undefined;
      const name = loc?.name?.trim() || p.actor.display?.trim();
      if (name) {
        location = {
          name,
          address: addressLine(loc?.address) ?? null,
          phone: loc?.telecom?.find((t) => t.system === 'phone' && t.value)?.value ?? null,
        };
      }
    } else if (type === 'Practitioner' || type === 'PractitionerRole') {
      const name = actorName(p.actor, index, appt);
      if (name === undefined) continue;
      const role = actor?.resourceType === 'PractitionerRole' ? (conceptText(actor.specialty?.[0]) ?? conceptText(actor.code?.[0])) : undefined;
      practitioners.push({ name, role: role ?? null });
    }
  }
  const start = formatInstant(appt.start, ctx);
  const end = formatInstant(appt.end, ctx);
  const label = statusWords(appt, group, about);
  const reason = (appt.reasonCode ?? []).map(conceptText).find((t) => t !== undefined && t.trim() !== '')?.trim();
  const url = telehealthUrl(appt, index);
  return {
    id: appt.id!,
    group,
    status: appt.status,
    statusLabel: say(label, ctx.locale),
    // The visit's own name; else why it is (a request's reason) before what kind of visit it is.
    title:
      appt.description?.trim() ||
      conceptText(appt.serviceType?.[0]) ||
      reason ||
      conceptText(appt.appointmentType) ||
      say(DEFAULT_TITLE, ctx.locale),
    start: start ?? null,
    end: end ?? null,
    when: appt.start === undefined ? null : (formatSpan(appt.start, appt.end, ctx) ?? null),
    timeZone: ctx.timeZone,
    requestedPeriods: (appt.requestedPeriod ?? []).flatMap((period) => {
      if (period.start === undefined) return [];
      const display = formatSpan(period.start, period.end, ctx);
      return display === undefined ? [] : [{ start: period.start, end: period.end ?? null, display }];
    }),
    practitioners,
    location,
    telehealth: url === undefined ? null : { url },
    instructions: appt.patientInstruction?.trim() || null,
    reason: reason ?? null,
    lastUpdated: appt.meta?.lastUpdated ?? null,
    delivery: about?.delivery ?? null,
  };
}

const startMs = (a: AppointmentView) =>
  a.start !== null ? Date.parse(a.start.iso) : a.requestedPeriods[0]?.start ? toMillis(a.requestedPeriods[0].start) : Number.NaN;

function compareAppointments(a: AppointmentView, b: AppointmentView): number {
  const g = APPOINTMENT_GROUPS.indexOf(a.group) - APPOINTMENT_GROUPS.indexOf(b.group);
  if (g !== 0) return g;
  // Upcoming and requested: soonest first; past and cancelled: most recent first. No time: last.
  const sa = startMs(a);
  const sb = startMs(b);
  if (Number.isNaN(sa) || Number.isNaN(sb)) return Number.isNaN(sa) === Number.isNaN(sb) ? a.id.localeCompare(b.id) : Number.isNaN(sa) ? 1 : -1;
  const ascending = a.group === 'upcoming' || a.group === 'requested';
  return (ascending ? sa - sb : sb - sa) || a.id.localeCompare(b.id);
}

/**
 * All appointments, ordered by group (upcoming, requested, past, cancelled) and within a group by
 * time. `included` holds the Practitioner / PractitionerRole / Location resources that came with them.
 */
export function mapAppointments(
  appointments: readonly unknown[],
  included: readonly unknown[],
  context: ViewContext,
  /** `requests`, `cancellations`: the patient's writes about them (AppointmentWrites). */
  options: ListOptions & AppointmentWrites = {},
): AppointmentList {
  const ctx = checkContext(context);
  const checked = checkResources(appointments, 'Appointment');
  const index = new ResourceIndex(included);
  let skipped = checked.invalid;
  const items: AppointmentView[] = [];
  for (const appt of checked.valid) {
    // Out of scope when it names patients and none of them is this one.
    const patients = appt.participant
      .map((p) => p.actor)
      .filter((a) => referenceType(a?.reference) === 'Patient' || index.resolve(a, ['Patient']) !== undefined);
    if (patients.length > 0 && patients.every((a) => isOtherPatient(a, ctx))) {
      skipped += 1;
      continue;
    }
    if (appt.status === 'entered-in-error') continue;
    const view = mapChecked(appt, (a) => mapAppointment(a, index, ctx, options), AppointmentViewSchema);
    if (view === undefined) skipped += 1;
    else items.push(view);
  }
  items.sort(compareAppointments);
  const counts = { upcoming: 0, requested: 0, past: 0, cancelled: 0 };
  for (const a of items) counts[a.group] += 1;
  return { ...checkedList(items, skipped, options), counts };
}
