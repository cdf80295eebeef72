/**
 * Things the viewer may not see yet (held or delayed by the release policy). They appear in lists
 * as placeholders with an explanation and never carry a name, a value or a title.
 */
import { z } from 'zod';
import { formatInstant, type DateView, DateViewSchema } from './format-date.js';
import type { ViewContext } from './view-context.js';

/** What the release policy lets a viewer know about a held item (the policy produces these). */
export type { PendingItem } from '../policy/apply.js';
import type { PendingItem } from '../policy/apply.js';

export const PendingItemSchema = z.object({
  ref: z.string().min(1),
  kind: z.enum(['result', 'document']),
  issued: z.string().optional(),
  releaseAt: z.string().optional(),
  explanation: z.string().min(1),
  category: z.string().optional(),
});

export const PendingViewSchema = z.object({
  id: z.string().min(1),
  status: z.literal('pending'),
  explanation: z.string().min(1),
  releaseAt: DateViewSchema.nullable(),
  issued: DateViewSchema.nullable(),
  category: z.string().nullable(),
});
export type PendingView = z.infer<typeof PendingViewSchema>;

/** The placeholder for one pending item of the given kind; undefined for the other kind. */
export function mapPending(item: PendingItem, kind: PendingItem['kind'], ctx: ViewContext): PendingView | undefined {
  const checked = PendingItemSchema.safeParse(item);
  if (!checked.success || checked.data.kind !== kind) return undefined;
  const p = checked.data;
  const releaseAt: DateView | undefined = p.releaseAt === undefined ? undefined : formatInstant(p.releaseAt, ctx);
  const issued: DateView | undefined = p.issued === undefined ? undefined : formatInstant(p.issued, ctx);
  return {
    // The bare id, like every other list item, so it can stand in a URL path.
    id: p.ref.slice(p.ref.lastIndexOf('/') + 1),
    status: 'pending',
    explanation: p.explanation,
    releaseAt: releaseAt ?? null,
    issued: issued ?? null,
    category: p.category ?? null,
  };
}
