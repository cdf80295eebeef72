/**
 * What every mapper is told about the viewer: where and when they are. Passed in, never read from
 * the process (no clock, no environment), so the mappers stay pure and testable.
 */
import { z } from 'zod';

const knownZones = new Set<string>();

/** Building a formatter is the only portable check; remember the zones that passed. */
function isTimeZone(value: string): boolean {
  if (knownZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    knownZones.add(value);
    return true;
  } catch {
    return false;
  }
}

export const ViewContextSchema = z.object({
  timeZone: z.string().refine(isTimeZone, { message: 'Unknown IANA time zone' }),
  locale: z.enum(['en', 'es']),
  now: z.date().refine((d) => !Number.isNaN(d.getTime()), { message: 'Invalid date' }),
  /** `Patient/<id>`: whose record this is. */
  patientRef: z.string().min(1),
  /** `Patient/<id>`, `RelatedPerson/<id>` or `Practitioner/<id>`: who is looking. */
  viewerRef: z.string().min(1),
  /**
   * When the viewer last looked, as ISO instants. Keys: a section (`messages`, `results`,
   * `documents`, `appointments`) or a message thread id (more precise than `messages`).
   */
  lastSeen: z.record(z.string(), z.string()).optional(),
});
export type ViewContext = z.infer<typeof ViewContextSchema>;
export type Locale = ViewContext['locale'];

/** Checks the context once per mapper call; a bad context is a programming error (field named). */
export function checkContext(ctx: ViewContext): ViewContext {
  return ViewContextSchema.parse(ctx);
}

/** Plain-words text in both supported languages. */
export type Words = Record<Locale, string>;
export const say = (words: Words, locale: Locale): string => words[locale];
