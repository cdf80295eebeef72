import type Koa from 'koa';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Logger } from '../log.js';

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
export type SandboxGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface SandboxClient {
  clientId: string;
  clientSecret?: string;
  jwks?: { keys: JsonWebKey[] };
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes?: SandboxGrantType[];
}

export interface FaultSettings {
  latencyMs: number;
  /** 0..1: share of FHIR requests answered 503 with an OperationOutcome. */
  errorRate: number;
  /** 0..1: share of FHIR requests never answered until the client gives up (capped at 60 s). */
  timeoutRate: number;
  /** FHIR and token endpoints answer 503. */
  down: boolean;
  /** Access token lifetime for tokens issued from now on. */
  accessTokenTtlSeconds: number;
  /** Break the id_token of token responses, to test clients' validation. */
  idToken: 'valid' | 'wrong-aud' | 'wrong-iss' | 'bad-signature' | 'expired';
}

export interface SandboxOptions {
  /** Origin of the process, e.g. http://localhost:3000; the sandbox lives under /sandbox. */
  publicUrl: string;
  /** The adapter's launch URL, e.g. http://localhost:3000/launch. */
  appLaunchUrl: string;
  clients: SandboxClient[];
  seedDirs?: string[];
  logger: Logger;
  now?: () => Date;
  faults?: Partial<FaultSettings>;
}

export interface SandboxProxy {
  id: string;
  name: string;
  relationship: string;
}

export interface SandboxPatient {
  id: string;
  name: string;
  birthDate: string | undefined;
  description: string;
  proxies: SandboxProxy[];
}

export interface Mail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html?: string;
  at: string;
}

export interface Mailbox {
  add(mail: Mail): void;
  list(): Mail[];
}

export interface Sandbox {
  /** Serves everything under /sandbox and passes other paths on. */
  middleware: Koa.Middleware;
  /** The /sandbox/patients.json content. */
  patients(): Promise<SandboxPatient[]>;
  /** Mutable at run time. */
  faults: FaultSettings;
  repo: MemoryRepository;
  mailbox: Mailbox;
  close(): Promise<void>;
}
