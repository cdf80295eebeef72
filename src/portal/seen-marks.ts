import type { DataSource } from 'typeorm';
import { runStatement, statement } from '../store/statement.js';

/** What a viewer looks at that has a "new" or "unread" state: their results, their documents, one conversation. */
export type SeenItem = 'results' | 'documents' | `thread:${string}`;

export interface SeenViewer {
  ehrId: string;
  patientId: string;
  viewer: { kind: string; id: string };
}

const FOR_VIEWER = statement(
  'seen_marks_for_viewer',
  'SELECT item, seen_at FROM seen_mark WHERE ehr_id = $1 AND patient_id = $2 AND viewer_kind = $3 AND viewer_id = $4',
);
// A mark only moves forward: two tabs, or a late request, never make something unread again.
const MARK = statement(
  'seen_marks_mark',
  `INSERT INTO seen_mark (ehr_id, patient_id, viewer_kind, viewer_id, item, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
   ON CONFLICT (ehr_id, patient_id, viewer_kind, viewer_id, item) DO UPDATE SET seen_at = GREATEST(seen_mark.seen_at, EXCLUDED.seen_at)`,
);

/**
 * When each viewer last looked at a conversation, their results and their documents (per viewer:
 * a proxy reading a thread leaves it unread for the patient). Read as the views' `lastSeen`.
 */
export class SeenMarks {
  constructor(private readonly ds: DataSource) {}

  /** As ViewContext.lastSeen: `results`, `documents`, and each conversation under its id. */
  async lastSeen(who: SeenViewer): Promise<Record<string, string>> {
    const rows = await runStatement<{ item: string; seen_at: Date | string }>(this.ds, FOR_VIEWER, [who.ehrId, who.patientId, who.viewer.kind, who.viewer.id]);
    const out: Record<string, string> = {};
    for (const r of rows) out[r.item.startsWith('thread:') ? r.item.slice('thread:'.length) : r.item] = new Date(r.seen_at).toISOString();
    return out;
  }

  async mark(who: SeenViewer, item: SeenItem, at: Date): Promise<void> {
    await runStatement(this.ds, MARK, [who.ehrId, who.patientId, who.viewer.kind, who.viewer.id, item, at]);
  }
}
