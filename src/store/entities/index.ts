import { AuthRequestEntity } from './auth-request.js';
import { AuditEntryEntity } from './audit-entry.js';
import { SessionEntity } from './session.js';

/** Every mapped table. Tables are created by migrations only. */
export const ENTITIES = [AuthRequestEntity, SessionEntity, AuditEntryEntity];
