import type { MigrationInterface } from 'typeorm';
import { Initial1700000000000 } from './1700000000000-initial.js';
import { Audit1700000001000 } from './1700000001000-audit.js';
import { Outbox1700000002000 } from './1700000002000-outbox.js';
import { PolicyState1700000003000 } from './1700000003000-policy-state.js';
import { Notify1700000004000 } from './1700000004000-notify.js';
import { SeenMarks1700000005000 } from './1700000005000-seen-marks.js';

/** Every migration, oldest first. Each one is plain SQL so both backends run the same schema. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1700000000000, Audit1700000001000, Outbox1700000002000, PolicyState1700000003000, Notify1700000004000, SeenMarks1700000005000];
