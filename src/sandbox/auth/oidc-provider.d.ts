// The subset of oidc-provider 9 (untyped JavaScript) that the sandbox uses.
// Shapes follow lib/provider.js, lib/models/*.js and lib/helpers/interaction_policy.
declare module 'oidc-provider' {
  import Koa from 'koa';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcToken {
    jti: string;
    kind: string;
    accountId?: string;
    clientId: string;
    grantId?: string;
    scope?: string;
    exp: number;
    iat: number;
    extra?: Record<string, unknown>;
    readonly isExpired: boolean;
  }

  export interface TokenModel<T> {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<T | undefined>;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    jti: string;
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    session?: { accountId?: string };
    returnTo: string;
  }

  export interface InteractionResults {
    login?: { accountId: string; amr?: string[]; acr?: string; remember?: boolean };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface KoaContextWithOIDC extends Koa.Context {
    oidc: {
      route: string;
      params?: Record<string, unknown>;
      result?: InteractionResults;
      entities: { AccessToken?: OidcToken; ClientCredentials?: OidcToken; Grant?: { jti: string } };
    };
  }

  export class Check {
    constructor(reason: string, description: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>);
    static REQUEST_PROMPT: true;
    static NO_NEED_TO_PROMPT: false;
  }

  export interface Prompt {
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void };
  }

  export interface PromptList extends Array<Prompt> {
    get(name: string): Prompt | undefined;
  }

  export const interactionPolicy: { Check: typeof Check; base(): PromptList };

  export const errors: {
    AccessDenied: new (description?: string) => Error;
  };

  export class Provider extends Koa {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    AccessToken: TokenModel<OidcToken>;
    ClientCredentials: TokenModel<OidcToken>;
    Grant: typeof Grant;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }

  export default Provider;
}
