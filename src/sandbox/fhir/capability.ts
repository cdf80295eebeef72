import type { CapabilityStatement } from 'fhir/r4.js';
import { SCOPE_RESOURCE_TYPES } from '../auth/smart-scopes.js';

export interface AuthUrls {
  issuer: string;
  authorize: string;
  token: string;
  introspect: string;
  revoke: string;
  jwks: string;
}

export function authUrls(issuer: string): AuthUrls {
  return {
    issuer,
    authorize: `${issuer}/auth`,
    token: `${issuer}/token`,
    introspect: `${issuer}/token/introspection`,
    revoke: `${issuer}/token/revocation`,
    jwks: `${issuer}/jwks`,
  };
}

/** SMART discovery document (hl7.org/fhir/smart-app-launch/conformance.html). */
export function smartConfiguration(urls: AuthUrls): Record<string, unknown> {
  return {
    issuer: urls.issuer,
    jwks_uri: urls.jwks,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    introspection_endpoint: urls.introspect,
    revocation_endpoint: urls.revoke,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: [
      'openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access',
      ...SCOPE_RESOURCE_TYPES.flatMap((t) => [`patient/${t}.cruds`, `patient/${t}.rs`, `patient/${t}.read`, `patient/${t}.write`]),
      'system/*.rs',
    ],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr', 'launch-standalone', 'client-confidential-symmetric', 'client-confidential-asymmetric',
      'context-ehr-patient', 'context-standalone-patient', 'permission-v2', 'permission-v1', 'permission-patient',
      'sso-openid-connect', 'context-banner', 'context-style',
    ],
  };
}

export function capabilityStatement(fhirBase: string, urls: AuthUrls, now: Date): CapabilityStatement {
  const interactions = ['read', 'search-type', 'create', 'update'] as const;
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: now.toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    implementation: { description: 'Sandbox EHR (development only)', url: fhirBase },
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: urls.authorize },
                { url: 'token', valueUri: urls.token },
                { url: 'introspect', valueUri: urls.introspect },
                { url: 'revoke', valueUri: urls.revoke },
              ],
            },
          ],
        },
        resource: SCOPE_RESOURCE_TYPES.map((type) => ({
          type,
          interaction: interactions.map((code) => ({ code })),
          conditionalCreate: true,
        })),
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}
