import type { Mail, Mailbox } from './types.js';

/** In-memory outbox for development mail; keeps the newest `limit` messages. */
export function createMailbox(limit = 500): Mailbox {
  const items: Mail[] = [];
  return {
    add(mail) {
      items.push({ ...mail });
      if (items.length > limit) items.splice(0, items.length - limit);
    },
    list() {
      return items.map((m) => ({ ...m }));
    },
  };
}
