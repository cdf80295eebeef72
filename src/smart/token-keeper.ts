import * as oidc from 'openid-client';
import type { SmartClient } from './smart-client.js';
import { ehrFailure } from '../fhir/fhir-errors.js';
import { AppError } from '../http/errors.js';
import type { PortalSession, SessionStore } from './sessions.js';

/** Refresh this long before the access token runs out. */
const REFRESH_MARGIN_MS = 60_000;

/** The EHR sign-in is over (refresh refused or impossible): the person launches again. */
export class SignInEnded extends AppError {
  constructor() {
    super(401, 'ehr_session_expired', 'Your sign-in with your clinic has ended.', {
      expose: true,
      action: 'Please open the app again from your patient portal. Anything you were writing is kept in this browser, and messages you sent are not lost.',
    });
    this.name = 'SignInEnded';
  }
}

/**
 * Keeps a session's access token fresh: refreshes before expiry and once after a 401, stores the
 * rotated refresh token, and runs one refresh per session at a time. When another process has
 * refreshed first (rotation made our refresh token stale), it picks up that process's tokens.
 * A refresh that fails ends the session; drafts and queued writes live elsewhere and are kept.
 */
export class TokenKeeper {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly clientFor: (ehrId: string) => SmartClient | undefined,
    private readonly clock: () => Date = () => new Date(),
    private readonly onEnded?: (session: PortalSession) => Promise<void>,
  ) {}

  async accessToken(session: PortalSession): Promise<string> {
    const exp = session.accessExpiresAt?.getTime();
    if (exp === undefined || exp - this.clock().getTime() > REFRESH_MARGIN_MS) return session.secrets.accessToken;
    if (!session.secrets.refreshToken) {
      if (exp > this.clock().getTime()) return session.secrets.accessToken;
      await this.endSession(session);
      throw new SignInEnded();
    }
    return this.refresh(session);
  }

  /** After a 401: one refresh, or undefined when the sign-in cannot be renewed (session ended). */
  async afterUnauthorized(session: PortalSession): Promise<string | undefined> {
    if (!session.secrets.refreshToken) {
      await this.endSession(session);
      return undefined;
    }
    try {
      return await this.refresh(session);
    } catch {
      return undefined;
    }
  }

  refresh(session: PortalSession): Promise<string> {
    const running = this.inflight.get(session.key);
    if (running) return running;
    const p = this.doRefresh(session).finally(() => this.inflight.delete(session.key));
    this.inflight.set(session.key, p);
    return p;
  }

  private async doRefresh(session: PortalSession): Promise<string> {
    const client = this.clientFor(session.ehrId);
    const refreshToken = session.secrets.refreshToken;
    if (!client || !refreshToken) {
      await this.endSession(session);
      throw new SignInEnded();
    }
    try {
      const { tokens } = await client.refresh(refreshToken);
      const accessExpiresAt = tokens.expires_in ? new Date(this.clock().getTime() + tokens.expires_in * 1000) : null;
      await this.sessions.saveTokens(session, {
        accessToken: tokens.access_token,
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        ...(tokens.scope ? { scopes: tokens.scope } : {}),
        accessExpiresAt,
      });
      return tokens.access_token;
    } catch (e) {
      // The EHR refused the refresh token (invalid_grant …): the sign-in is over. Anything else
      // (EHR down, timeout) is passing: keep the session and report the EHR as unavailable.
      const refused = e instanceof oidc.ResponseBodyError && e.status < 500;
      if (!refused) throw ehrFailure(client.registration.name, undefined);
      // Another process may have rotated the refresh token first: use its result if so.
      const latest = await this.sessions.reload(session);
      if (latest && latest.secrets.refreshToken !== refreshToken && latest.secrets.accessToken !== session.secrets.accessToken) {
        Object.assign(session, latest);
        return latest.secrets.accessToken;
      }
      await this.endSession(session);
      throw new SignInEnded();
    }
  }

  private async endSession(session: PortalSession): Promise<void> {
    await this.sessions.end(session.key, 'refresh_failed');
    await this.onEnded?.(session);
  }
}
