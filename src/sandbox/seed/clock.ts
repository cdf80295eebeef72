// Every seed date is derived from one injected `now`, so the same instant always yields the same
// record and the relative shapes (results minutes old, a visit tomorrow) hold whenever it runs.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface Offset {
  days?: number;
  hours?: number;
  minutes?: number;
}

/** `now` moved by an exact duration (negative = past). */
export function shift(now: Date, offset: Offset): Date {
  const ms = (offset.days ?? 0) * DAY + (offset.hours ?? 0) * HOUR + (offset.minutes ?? 0) * MINUTE;
  return new Date(now.getTime() + ms);
}

/**
 * A clinic-hours slot on the calendar day `dayOffset` days from `now`'s UTC date. UTC 16:00-23:00
 * is 08:00/09:00-15:00/16:00 in California. With |dayOffset| >= 2 the slot is always at least
 * 41 hours away from `now`, so it can never collide with the 24-30 h reminder window.
 */
export function slot(now: Date, dayOffset: number, utcHour: number, utcMinute = 0): Date {
  return new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + dayOffset, utcHour, utcMinute),
  );
}

/** `now` rounded down to the quarter hour, then moved: appointments start on quarter hours. */
export function quarterHourFrom(now: Date, offset: Offset): Date {
  const floored = Math.floor(now.getTime() / (15 * MINUTE)) * 15 * MINUTE;
  return shift(new Date(floored), offset);
}

/** FHIR instant/dateTime, UTC, without milliseconds when they are zero. */
export function instant(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/** FHIR date (YYYY-MM-DD) of the UTC calendar day. */
export function dateOnly(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * A birth date that makes the person exactly `years` old at `now`, their last birthday
 * `daysSinceBirthday` days ago (keep it between 30 and 330 so time zones cannot tip the age).
 */
export function birthDateForAge(now: Date, years: number, daysSinceBirthday: number): string {
  const birthday = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()));
  return dateOnly(new Date(birthday.getTime() - daysSinceBirthday * DAY));
}

/** Human date for document text, e.g. "March 4, 2026". */
export function longDate(d: Date): string {
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'];
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}
