/** Retry timing and the per-thread ordering rule (pure). */

export interface BackoffSettings {
  baseMs: number;
  capMs: number;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * wait a uniform random time in [0, min(cap, base·2^(attempt-1))]. `attempt` counts from 1.
 */
export function backoffDelay(attempt: number, s: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.min(s.capMs, s.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 52)));
  return Math.floor(random() * ceiling);
}

export interface OrderedItem {
  seq: number;
  threadKey: string | null;
  status: 'sending' | 'retrying' | 'delivered' | 'rejected';
}

/**
 * An item is due for delivery only when every earlier item of its thread has settled (delivered,
 * or rejected for good: a rejected message must not hold the rest of the conversation hostage).
 * Items outside threads are never held. The SQL claim in worker.ts applies the same rule.
 */
export function heldBack(item: OrderedItem, all: readonly OrderedItem[]): boolean {
  if (item.threadKey === null) return false;
  return all.some((p) => p.threadKey === item.threadKey && p.seq < item.seq && p.status !== 'delivered' && p.status !== 'rejected');
}

/** Undelivered for longer than the configured time: the view tells the patient to call if urgent. */
export function isOverdue(createdAt: Date, status: string, now: Date, overdueMs: number): boolean {
  return (status === 'sending' || status === 'retrying') && now.getTime() - createdAt.getTime() >= overdueMs;
}
