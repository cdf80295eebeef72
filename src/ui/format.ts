/**
 * The few display formats the pages need beyond the view models' own (which already carry
 * localized dates): calendar days for grouping and chart axes, and file sizes.
 */
import { localDay } from '../views/format-date.js';
import type { UiLocale } from './locale.js';

const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const formats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(locale: UiLocale, timeZone: string, style: 'long' | 'short'): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let f = formats.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, style === 'long' ? { dateStyle: 'long', timeZone } : { year: 'numeric', month: 'short', day: 'numeric', timeZone });
    formats.set(key, f);
  }
  return f;
}

/**
 * The calendar day of a FHIR date or instant in the patient's zone, with a sortable key.
 * Date-only values name a day, not an instant, so they are never shifted by the zone.
 */
export function calendarDay(iso: string, locale: UiLocale, timeZone: string, style: 'long' | 'short' = 'long'): { key: string; label: string } | undefined {
  const d = DATE_ONLY.exec(iso);
  if (d) {
    const at = new Date(Date.UTC(Number(d[1]), d[2] ? Number(d[2]) - 1 : 0, d[3] ? Number(d[3]) : 1));
    return { key: iso, label: d[3] ? dayFormat(locale, 'UTC', style).format(at) : iso };
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const at = new Date(ms);
  return { key: localDay(timeZone, at), label: dayFormat(locale, timeZone, style).format(at) };
}

export function fileSize(bytes: number, locale: UiLocale): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(value)} ${units[i]}`;
}
