import type { DataSource } from 'typeorm';
import type { JWK } from 'jose';
import type { AppConfig } from './config/load-config.js';
import type { EhrRegistration } from './config/registration.js';
import type { Logger } from './log.js';
import type { FieldCipher } from './crypto/field-cipher.js';
import type { AuditLog } from './audit/audit-log.js';
import type { SmartDiscovery } from './smart/discovery.js';
import type { SmartClient } from './smart/smart-client.js';
import type { SessionStore } from './smart/sessions.js';
import type { AuthRequests } from './smart/auth-requests.js';
import type { TokenKeeper } from './smart/token-keeper.js';
import type { CookiePolicy } from './http/cookies.js';
import type { Metrics } from './http/metrics.js';
import type { RuleSet } from './policy/load-rules.js';
import type { PolicyState } from './policy-state/policy-state.js';
import type { SeenMarks } from './portal/seen-marks.js';
import type { Outbox } from './outbox/outbox.js';
import type { NotifyService } from './notify/notify-service.js';

/**
 * Everything the HTTP layer and workers use, built once in main.ts (or by a test) and passed
 * in: no module reaches for a global.
 */
export interface AppServices {
  config: AppConfig;
  logger: Logger;
  db: DataSource;
  clock: () => Date;
  cipher: FieldCipher;
  audit: AuditLog;
  metrics: Metrics;
  discovery: SmartDiscovery;
  /** SMART clients by EHR id (registrations with auth type `smart`). */
  smartClients: Map<string, SmartClient>;
  /** Public keys of private_key_jwt registrations, served at /.well-known/jwks.json. */
  publicJwks: JWK[];
  sessions: SessionStore;
  authRequests: AuthRequests;
  tokens: TokenKeeper;
  cookies: CookiePolicy;
  registration: (ehrId: string) => EhrRegistration;
  /** The release rules in force for an EHR (deployment pack, with that EHR's override). */
  rules: (ehrId: string) => RuleSet;
  policyState: PolicyState;
  /** When each viewer last looked at a conversation, their results, their documents. */
  seen: SeenMarks;
  outbox: Outbox;
  /** PHI-free notifications: preferences, events, channels (src/notify/). */
  notify: NotifyService;
}
