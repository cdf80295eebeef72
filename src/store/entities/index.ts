import { AuthRequestEntity } from './auth-request.js';
import { AuditEntryEntity } from './audit-entry.js';
import { SessionEntity } from './session.js';
import { OutboxItemEntity } from './outbox-item.js';
import { NotificationEventEntity } from './notification-event.js';
import { NotificationEntity } from './notification.js';
import { NotificationPreferenceEntity } from './notification-preference.js';
import { NotificationCursorEntity } from './notification-cursor.js';
import { NotificationWatchEntity } from './notification-watch.js';

/** Every mapped table. Tables are created by migrations only. */
export const ENTITIES = [AuthRequestEntity, SessionEntity, AuditEntryEntity, OutboxItemEntity, NotificationEventEntity, NotificationEntity, NotificationPreferenceEntity, NotificationCursorEntity, NotificationWatchEntity];
