/**
 * The home page numbers, built from the mapped lists (never from raw FHIR), so they always agree
 * with what the patient sees on each page.
 * "New" means issued or dated within `newWithinDays` of `now`, or after the viewer's last visit of
 * that section (`lastSeen.results` / `lastSeen.documents`) when that is known.
 */
import { z } from 'zod';
import { AppointmentViewSchema, type AppointmentList } from './appointments.js';
import type { DocumentList } from './documents.js';
import { toMillis } from './format-date.js';
import { ThreadSummarySchema, type ThreadList } from './messages.js';
import type { ResultList } from './results.js';
import { checkContext, type ViewContext } from './view-context.js';

export const SummaryViewSchema = z.object({
  messages: z.object({
    unread: z.number().int().nonnegative(),
    newestThread: ThreadSummarySchema.nullable(),
    /** Held by the release policy (ThreadList.held). */
    held: z.number().int().nonnegative(),
  }),
  appointments: z.object({ next: z.array(AppointmentViewSchema).max(3) }),
  results: z.object({ new: z.number().int().nonnegative(), pending: z.number().int().nonnegative() }),
  documents: z.object({ new: z.number().int().nonnegative(), pending: z.number().int().nonnegative() }),
  /** Some list behind these numbers was incomplete. */
  cut: z.boolean(),
});
export type SummaryView = z.infer<typeof SummaryViewSchema>;

export interface SummaryInput {
  threads: ThreadList;
  appointments: AppointmentList;
  results: ResultList;
  documents: DocumentList;
}
export interface SummaryOptions {
  /** Days an item counts as new when the last visit is not known. Default 14. */
  newWithinDays?: number;
}

const DAY_MS = 86_400_000;

export function mapSummary(input: SummaryInput, context: ViewContext, options: SummaryOptions = {}): SummaryView {
  const ctx = checkContext(context);
  const days = options.newWithinDays ?? 14;
  const cutoff = (section: string): number => {
    const seen = toMillis(ctx.lastSeen?.[section]);
    return Number.isNaN(seen) ? ctx.now.getTime() - days * DAY_MS : seen;
  };
  const isNewAfter = (iso: string | undefined, after: number) => {
    const ms = toMillis(iso);
    return !Number.isNaN(ms) && ms > after;
  };

  const resultsAfter = cutoff('results');
  const documentsAfter = cutoff('documents');
  const threads = input.threads.items;
  return SummaryViewSchema.parse({
    messages: {
      unread: threads.reduce((n, t) => n + t.unread, 0),
      newestThread: threads[0] ?? null,
      held: input.threads.held,
    },
    appointments: {
      next: input.appointments.items.filter((a) => a.group === 'upcoming' && a.start !== null).slice(0, 3),
    },
    results: {
      new: input.results.items.filter(
        (r) => r.status === 'available' && isNewAfter((r.issued ?? r.effective)?.iso, resultsAfter),
      ).length,
      pending: input.results.items.filter((r) => r.status === 'pending').length,
    },
    documents: {
      new: input.documents.items.filter((d) => d.status === 'available' && isNewAfter(d.date?.iso, documentsAfter)).length,
      pending: input.documents.items.filter((d) => d.status === 'pending').length,
    },
    cut: Boolean(input.threads.cut || input.appointments.cut || input.results.cut || input.documents.cut),
  });
}
