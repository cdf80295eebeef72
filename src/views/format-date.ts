/**
 * Dates shown to the patient: always the ISO value (for machines and sorting) beside a display
 * string in the patient's own time zone and language. Date-only FHIR values (`2024-05-01`, `2024-05`,
 * `2024`) name a calendar day, not an instant, so they are shown as written, never shifted by a zone.
 */
import { z } from 'zod';
import { boundedMemo } from '../lib/bounded-memo.js';
import type { Locale, ViewContext } from './view-context.js';

export const DateViewSchema = z.object({ iso: z.string().min(4), display: z.string().min(1) });
export type DateView = z.infer<typeof DateViewSchema>;

const formatters = new Map<string, Intl.DateTimeFormat>();

const optionNames = new WeakMap<Intl.DateTimeFormatOptions, string>();

function formatter(locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let name = optionNames.get(options);
  if (name === undefined) {
    name = JSON.stringify(options);
    optionNames.set(options, name);
  }
  const key = `${locale}|${timeZone}|${name}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

const WITH_TIME: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};
const DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
const MONTH: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long' };
const YEAR: Intl.DateTimeFormatOptions = { year: 'numeric' };

const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

const dayKeys = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in `timeZone` as YYYY-MM-DD (en-CA writes dates that way). */
export function localDay(timeZone: string, at: Date): string {
  let f = dayKeys.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayKeys.set(timeZone, f);
  }
  return f.format(at);
}

/** Milliseconds since the epoch for a FHIR date/dateTime/instant; NaN when unreadable. */
export function toMillis(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  const d = DATE_ONLY.exec(value);
  if (d) return Date.UTC(Number(d[1]), d[2] ? Number(d[2]) - 1 : 0, d[3] ? Number(d[3]) : 1);
  return Date.parse(value);
}

const dateViews = boundedMemo<Readonly<DateView> | undefined>(20_000);

/** ISO value + localized display; undefined when the value is not a readable date. */
export function formatInstant(value: string | undefined, ctx: Pick<ViewContext, 'locale' | 'timeZone'>): DateView | undefined {
  if (value === undefined) return undefined;
  return dateViews(`${ctx.locale}|${ctx.timeZone}|${value}`, () => dateView(value, ctx));
}

function dateView(value: string, ctx: Pick<ViewContext, 'locale' | 'timeZone'>): Readonly<DateView> | undefined {
  const d = DATE_ONLY.exec(value);
  if (d) {
    const at = new Date(toMillis(value));
    const options = d[3] ? DAY : d[2] ? MONTH : YEAR;
    return Object.freeze({ iso: value, display: formatter(ctx.locale, 'UTC', options).format(at) });
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const at = new Date(ms);
  return Object.freeze({ iso: at.toISOString(), display: formatter(ctx.locale, ctx.timeZone, WITH_TIME).format(at) });
}

/** A start–end span in one string ("Tue, May 6, 2025, 9:00 – 9:30 AM EDT"). */
export function formatSpan(
  start: string,
  end: string | undefined,
  ctx: Pick<ViewContext, 'locale' | 'timeZone'>,
): string | undefined {
  const s = Date.parse(start);
  if (Number.isNaN(s)) return undefined;
  const f = formatter(ctx.locale, ctx.timeZone, WITH_TIME);
  const e = end === undefined ? Number.NaN : Date.parse(end);
  if (Number.isNaN(e) || e < s) return f.format(new Date(s));
  return f.formatRange(new Date(s), new Date(e));
}
