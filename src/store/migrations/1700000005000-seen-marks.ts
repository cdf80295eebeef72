import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each viewer last looked at a conversation, their results and their documents: what makes
 * a message unread and a result new. Per viewer, so a proxy opening a thread does not mark it
 * read for the patient. Holds ids and times only, no content.
 */
export class SeenMarks1700000005000 implements MigrationInterface {
  name = 'SeenMarks1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seen_mark (
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        viewer_kind text NOT NULL,
        viewer_id text NOT NULL,
        item text NOT NULL,
        seen_at timestamptz NOT NULL,
        PRIMARY KEY (ehr_id, patient_id, viewer_kind, viewer_id, item)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE seen_mark');
  }
}
