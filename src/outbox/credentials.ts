import type { AppServices } from '../services.js';
import type { PortalSession } from '../smart/sessions.js';
import { SessionEntity } from '../store/entities/session.js';
import type { OutboxItemRow } from '../store/entities/outbox-item.js';

/**
 * Whose sign-in delivers a write (the patient may have signed out since): 1) the session that
 * wrote it, while still active; 2) else the newest active session of the same viewer for the same
 * patient and EHR; 3) else none: the item waits (`waiting_for_signin`) and the worker's claim
 * query wakes it when such a session appears.
 *
 * The one place to add a SMART Backend Services path later (client_credentials with
 * private_key_jwt, system/Communication.c): EHRs that allow it would deliver without any
 * patient session.
 */
export async function deliveryCredentials(s: AppServices, item: Pick<OutboxItemRow, 'sessionKey' | 'ehrId' | 'patientId' | 'viewerKind' | 'viewerId'>): Promise<PortalSession | undefined> {
  const now = s.clock();
  const idleSince = new Date(now.getTime() - s.config.session.idleMs);
  const active = (qb: ReturnType<typeof base>) =>
    qb.andWhere('s.ended_at IS NULL AND s.expires_at > :now AND s.last_seen_at > :idleSince', { now, idleSince });
  const base = () => s.db.getRepository(SessionEntity).createQueryBuilder('s');
  const own = await active(base().where('s.id_hash = :key', { key: item.sessionKey })).getOne();
  const row =
    own ??
    (await active(
      base().where('s.ehr_id = :ehrId AND s.patient_id = :patientId AND s.viewer_kind = :kind AND s.viewer_id = :viewerId', {
        ehrId: item.ehrId,
        patientId: item.patientId,
        kind: item.viewerKind,
        viewerId: item.viewerId,
      }),
    )
      .orderBy('s.created_at', 'DESC')
      .getOne());
  return row?.secrets ? s.sessions.toSession(row) : undefined;
}
