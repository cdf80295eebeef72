/**
 * The envelope every list view answers, and the per-item guard that keeps one bad resource from
 * breaking a whole list: an item that cannot be mapped, or whose view model fails its schema, is
 * left out and counted in `skipped`.
 */
import { z } from 'zod';

export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Inputs that were malformed and are not shown. */
    skipped: z.number().int().nonnegative(),
    /** The list is incomplete: the EHR's answer was cut off or a limit applied. */
    cut: z.boolean().optional(),
  });

export interface ListOptions {
  /** Show at most this many items (after sorting). */
  limit?: number;
  /** The FHIR layer stopped paging early, so the inputs are already incomplete. */
  upstreamCut?: boolean;
}

/** Maps one item and checks the result; undefined when either step fails. */
export function mapChecked<I, O>(input: I, map: (input: I) => O | undefined, schema: z.ZodType<O>): O | undefined {
  let mapped: O | undefined;
  try {
    mapped = map(input);
  } catch {
    return undefined;
  }
  if (mapped === undefined) return undefined;
  const parsed = schema.safeParse(mapped);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The envelope around items that each passed their own schema already (mapChecked, mapPending):
 * limited, counted, and not parsed a second time.
 */
export function checkedList<T>(items: T[], skipped: number, options: ListOptions): { items: T[]; skipped: number; cut?: boolean } {
  if (!Number.isInteger(skipped) || skipped < 0) throw new RangeError('skipped must be a count');
  return { ...applyLimit(items, options), skipped };
}

/** Applies the limit and sets `cut` when anything was left out upstream or here. */
export function applyLimit<T>(items: T[], options: ListOptions): { items: T[]; cut?: boolean } {
  const limited = options.limit !== undefined && items.length > options.limit;
  const out = limited ? items.slice(0, options.limit) : items;
  return limited || options.upstreamCut ? { items: out, cut: true } : { items: out };
}
