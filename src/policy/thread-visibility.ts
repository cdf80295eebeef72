/**
 * A conversation is as confidential as its most confidential part: a message that belongs to a
 * hidden message — by `partOf` (the thread header) or by `inResponseTo` — is hidden with it,
 * whatever its own labels say. A minor's reply in her confidential thread carries no label of its
 * own (she wrote it here, or the EHR did not copy the thread's labels), and must not reach her
 * proxy as a thread of its own. Pure: ids in, ids out.
 */

interface Linked {
  id?: string;
  partOf?: readonly { reference?: string }[];
  inResponseTo?: readonly { reference?: string }[];
}

const communicationId = (reference: string | undefined): string | undefined =>
  reference?.startsWith('Communication/') ? reference.slice('Communication/'.length) : undefined;

/**
 * How many held conversations or messages the viewer is told of ("waiting to be released"): each
 * held Communication counts once, except one that belongs to another held one (a message in a
 * held thread, a reply to a held message), so a held thread of five messages counts as one.
 */
export function countHeld(comms: readonly Linked[], held: ReadonlySet<string>): number {
  let n = 0;
  for (const c of comms) {
    if (c.id === undefined || !held.has(c.id)) continue;
    const links = [...(c.partOf ?? []), ...(c.inResponseTo ?? [])];
    if (!links.some((l) => held.has(communicationId(l.reference) ?? ''))) n += 1;
  }
  return n;
}

/**
 * The ids among `comms` hidden because what they belong to is hidden (directly, or through a
 * chain of replies), each with the id of the hidden Communication that hides it. `hidden`: the
 * Communications the policy itself did not release.
 */
export function hiddenWithThread(comms: readonly Linked[], hidden: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  /** The hidden Communication a link points at, traced back to one the policy hid. */
  const hiddenBy = (ref: { reference?: string }): string | undefined => {
    const id = communicationId(ref.reference);
    if (id === undefined) return undefined;
    return hidden.has(id) ? id : out.get(id);
  };
  // Replies may come in any order: repeat until nothing new is hidden (depth of the longest chain).
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of comms) {
      if (c.id === undefined || out.has(c.id) || hidden.has(c.id)) continue;
      const by = [...(c.partOf ?? []), ...(c.inResponseTo ?? [])].map(hiddenBy).find((x) => x !== undefined);
      if (by !== undefined) {
        out.set(c.id, by);
        changed = true;
      }
    }
  }
  return out;
}
