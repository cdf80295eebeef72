/**
 * Business-day arithmetic and date wording in the clinic's time zone. Pure: the clock is an
 * argument. Days are counted on the clinic's local calendar; a delay of N business days from
 * Friday 10:00 ends on the Nth following business day at the same wall-clock time (±1 h across
 * a DST change, which errs by at most an hour).
 */
export interface CalendarConfig {
  timeZone: string;
  /** Local dates, YYYY-MM-DD. */
  holidays: string[];
}

export interface Calendar {
  readonly timeZone: string;
  addBusinessDays(from: Date, days: number): Date;
  isBusinessDay(at: Date): boolean;
  /** Local calendar date as [year, month (1-12), day]. */
  localDate(at: Date): [number, number, number];
  formatDate(at: Date, locale: 'en' | 'es'): string;
}

const DAY_MS = 86_400_000;

export function createCalendar(config: CalendarConfig): Calendar {
  const holidays = new Set(config.holidays);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: config.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const wording = {
    en: new Intl.DateTimeFormat('en-GB', { timeZone: config.timeZone, day: 'numeric', month: 'long', year: 'numeric' }),
    es: new Intl.DateTimeFormat('es', { timeZone: config.timeZone, day: 'numeric', month: 'long', year: 'numeric' }),
  };

  // The zone's UTC offset, cached per quarter hour (offsets only change on those boundaries);
  // local dates then come from arithmetic instead of an Intl call per question.
  const offsets = new Map<number, number>();
  function offsetAt(t: number): number {
    const bucket = Math.floor(t / 900_000);
    let off = offsets.get(bucket);
    if (off === undefined) {
      let y = 0, mo = 0, d = 0, h = 0, mi = 0;
      for (const p of parts.formatToParts(new Date(bucket * 900_000))) {
        if (p.type === 'year') y = Number(p.value);
        else if (p.type === 'month') mo = Number(p.value);
        else if (p.type === 'day') d = Number(p.value);
        else if (p.type === 'hour') h = Number(p.value) % 24;
        else if (p.type === 'minute') mi = Number(p.value);
      }
      off = Date.UTC(y, mo - 1, d, h, mi) - bucket * 900_000;
      if (offsets.size > 50_000) offsets.clear();
      offsets.set(bucket, off);
    }
    return off;
  }

  function local(at: Date): { key: string; weekday: number; y: number; m: number; d: number } {
    const l = new Date(at.getTime() + offsetAt(at.getTime()));
    const y = l.getUTCFullYear(), m = l.getUTCMonth() + 1, d = l.getUTCDate();
    const key = `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
    return { key, weekday: l.getUTCDay(), y, m, d };
  }

  function isBusinessDay(at: Date): boolean {
    const l = local(at);
    return l.weekday !== 0 && l.weekday !== 6 && !holidays.has(l.key);
  }

  return {
    timeZone: config.timeZone,
    isBusinessDay,
    addBusinessDays(from, days) {
      let t = from.getTime();
      // Bounded: the schema caps days at 60 and holidays cannot fill more than a year.
      for (let counted = 0, guard = 0; counted < days && guard < 800; guard++) {
        t += DAY_MS;
        if (isBusinessDay(new Date(t))) counted++;
      }
      return new Date(t);
    },
    localDate(at) {
      const l = local(at);
      return [l.y, l.m, l.d];
    },
    formatDate(at, locale) {
      return wording[locale].format(at);
    },
  };
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
