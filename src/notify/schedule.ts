/** Timing rules of notifications (pure). */

const HOUR = 3_600_000;

/**
 * The reminder lead (hours) an appointment is due for now: the smallest configured lead whose
 * window it has entered, so an appointment first seen 1 h ahead gets the "soon" reminder once, not
 * every longer lead's as well. Undefined when it is further away than every lead, or has begun.
 */
export function dueLead(start: Date, now: Date, leadsHours: readonly number[]): number | undefined {
  const ahead = start.getTime() - now.getTime();
  if (ahead <= 0) return undefined;
  const inside = leadsHours.filter((l) => ahead <= l * HOUR).sort((a, b) => a - b);
  return inside[0];
}

/** Digest: the earliest a recipient may get the next notification on a channel. */
export function nextSendAt(lastSentAt: Date | undefined, windowMs: number, now: Date): Date {
  if (!lastSentAt || windowMs <= 0) return now;
  const at = lastSentAt.getTime() + windowMs;
  return at > now.getTime() ? new Date(at) : now;
}

/**
 * Is a changed resource new, or an old one touched again (migrated, re-indexed, re-seeded)? New
 * when its own time (sent / issued) is no earlier than the window start minus a grace for clock
 * skew between the EHR and this process; a resource without its own time counts as new.
 */
export function isFresh(ownTime: string | undefined, windowStart: Date, graceMs: number): boolean {
  if (!ownTime) return true;
  const t = Date.parse(ownTime);
  if (Number.isNaN(t)) return true;
  return t >= windowStart.getTime() - graceMs;
}
