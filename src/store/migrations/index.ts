import type { MigrationInterface } from 'typeorm';
import { Initial1700000000000 } from './1700000000000-initial.js';
import { Audit1700000001000 } from './1700000001000-audit.js';

/** Every migration, oldest first. Each one is plain SQL so both backends run the same schema. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1700000000000, Audit1700000001000];
