/**
 * An upcoming appointment as an iCalendar file (RFC 5545): CRLF line ends (§3.1), lines folded
 * at 75 octets without splitting a UTF-8 character (§3.1), TEXT values escaped (§3.3.11), times in
 * UTC (§3.3.5 form 2), and a UID derived from the appointment id so re-downloads update the same
 * calendar entry instead of adding a copy (§3.8.4.7).
 * Spec: https://www.rfc-editor.org/rfc/rfc5545
 */
import { AppError } from '../http/errors.js';
import type { AppointmentView } from './appointments.js';
import { say, type Locale, type Words } from './view-context.js';

export interface IcsOptions {
  /** PRODID, e.g. `-//Example Clinic//Patient Portal//EN`. */
  prodId: string;
  clinicName: string;
  /** DTSTAMP; defaults to the appointment's last update, then its start (keeps the output pure). */
  now?: Date;
  /** Right-hand side of the UID; defaults to `fhir-portal-adapter`. */
  uidDomain?: string;
  locale?: Locale;
}

const WITH: Words = { en: 'With', es: 'Con' };
const JOIN: Words = { en: 'Join the video visit', es: 'Unirse a la consulta por video' };

/** TEXT escaping: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line into ≤ 75-octet pieces joined by CRLF + space (RFC 5545 §3.1). */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const pieces: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    // The first piece may hold 75 octets; later ones 74, after their leading space.
    const limit = pieces.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      pieces.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  pieces.push(current);
  return pieces.join('\r\n ');
}

/** `20250506T130000Z` (RFC 5545 §3.3.5, UTC form). */
export function icsUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A one-event VCALENDAR for an upcoming appointment; throws a 409 AppError for any other. */
export function toIcs(appointment: AppointmentView, options: IcsOptions): string {
  if (appointment.group !== 'upcoming' || appointment.start === null) {
    throw new AppError(409, 'appointment_not_upcoming', 'Only upcoming appointments with a set time can be added to a calendar.', {
      expose: true,
    });
  }
  const locale = options.locale ?? 'en';
  const start = new Date(appointment.start.iso);
  const end = appointment.end === null ? undefined : new Date(appointment.end.iso);
  const stamp = options.now ?? new Date(appointment.lastUpdated ?? appointment.start.iso);
  const domain = (options.uidDomain ?? 'fhir-portal-adapter').replace(/[^A-Za-z0-9.-]/g, '');

  const description: string[] = [];
  if (appointment.practitioners.length > 0) {
    description.push(`${say(WITH, locale)}: ${appointment.practitioners.map((p) => p.name).join(', ')}`);
  }
  if (appointment.telehealth !== null) description.push(`${say(JOIN, locale)}: ${appointment.telehealth.url}`);
  if (appointment.instructions !== null) description.push(appointment.instructions);
  const location =
    appointment.location === null
      ? appointment.telehealth?.url
      : [appointment.location.name, appointment.location.address].filter((s) => s !== null).join(', ');

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(options.prodId)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:appointment-${appointment.id}@${domain || 'fhir-portal-adapter'}`,
    `DTSTAMP:${icsUtc(stamp)}`,
    `DTSTART:${icsUtc(start)}`,
    ...(end !== undefined && end.getTime() > start.getTime() ? [`DTEND:${icsUtc(end)}`] : []),
    `SUMMARY:${escapeText(`${appointment.title} – ${options.clinicName}`)}`,
    ...(location === undefined || location === '' ? [] : [`LOCATION:${escapeText(location)}`]),
    ...(description.length === 0 ? [] : [`DESCRIPTION:${escapeText(description.join('\n\n'))}`]),
    ...(appointment.telehealth === null ? [] : [`URL:${appointment.telehealth.url}`]),
    `STATUS:${appointment.status === 'booked' || appointment.status === 'arrived' || appointment.status === 'checked-in' ? 'CONFIRMED' : 'TENTATIVE'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
