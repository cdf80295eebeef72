import { randomBytes } from 'node:crypto';

/** What a `/sandbox/launch` request fixes for the authorization that echoes its code. */
export interface LaunchContext {
  patient: string;
  /** RelatedPerson id when a proxy signs in; absent when the patient does. */
  user?: string;
  /** Sign-in used a second factor (amr ["pwd","otp"]) or not (["pwd"]). */
  mfa: boolean;
  /** Scopes dropped from the grant, to test narrower grants. */
  deny: string[];
}

const LAUNCH_TTL_MS = 10 * 60 * 1000;

/** Opaque launch codes: expire after 10 minutes and are consumed by the first authorization. */
export class LaunchStore {
  readonly #items = new Map<string, LaunchContext & { expiresAt: number }>();
  readonly #now: () => Date;

  constructor(now: () => Date) {
    this.#now = now;
  }

  issue(context: LaunchContext): string {
    this.#sweep();
    const code = randomBytes(24).toString('base64url');
    this.#items.set(code, { ...context, expiresAt: this.#now().getTime() + LAUNCH_TTL_MS });
    return code;
  }

  /** Returns and removes the context; undefined when unknown, used or expired. */
  take(code: string): LaunchContext | undefined {
    const item = this.#items.get(code);
    this.#items.delete(code);
    if (!item || item.expiresAt <= this.#now().getTime()) return undefined;
    const { expiresAt: _ignored, ...context } = item;
    return context;
  }

  #sweep(): void {
    const t = this.#now().getTime();
    for (const [code, item] of this.#items) if (item.expiresAt <= t) this.#items.delete(code);
  }
}

/** The launch context each grant was issued with, keyed by oidc-provider grant id. */
export interface GrantContext {
  patient: string;
  fhirUser: string;
}
