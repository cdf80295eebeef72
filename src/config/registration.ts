import { z } from 'zod';

/**
 * One EHR registration: what the clinic registered with its EHR for this app
 * (one JSON file per EHR under smart-config/). Validated once at start.
 */
const secretRef = z
  .strictObject({
    /** Name of the environment variable that holds the client secret: secrets never live in files. */
    env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name'),
  })
  .describe('secret reference');

const clientAuth = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('client_secret_basic'), secret: secretRef }),
  z.strictObject({ method: z.literal('client_secret_post'), secret: secretRef }),
  z.strictObject({
    method: z.literal('private_key_jwt'),
    /** Private JWKS (RS384 and/or ES384 keys with kid): a file path or an environment variable. */
    privateJwks: z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ env: z.string().min(1) })]),
    alg: z.enum(['RS384', 'ES384']).default('ES384'),
  }),
  /** Only the built-in sandbox: the process generates a random secret at start and registers it there. */
  z.strictObject({ method: z.literal('sandbox_generated') }),
]);

const smartAuth = z.strictObject({
  type: z.literal('smart'),
  clientId: z.string().min(1),
  clientAuth,
  /** v2 (`patient/Observation.rs`) or v1 (`patient/Observation.read`): some EHRs accept only v1. */
  scopeStyle: z.enum(['v1', 'v2']).default('v2'),
  /** Extra scopes beyond the ones the features need. */
  extraScopes: z.array(z.string().regex(/^\S+$/)).default([]),
  /** Ask for offline_access (refresh across browser sessions) or online_access. */
  refresh: z.enum(['offline_access', 'online_access']).default('online_access'),
});

const openAuth = z.strictObject({
  /** An open FHIR server without SMART (HAPI in docker compose). Refused when NODE_ENV=production. */
  type: z.literal('none'),
});

const purpose = z.strictObject({
  code: z.string().regex(/^[a-z0-9-]+$/),
  label: z.strictObject({ en: z.string().min(1), es: z.string().min(1).optional() }),
});

export const DEFAULT_PURPOSES: z.infer<typeof purpose>[] = [
  { code: 'refill-request', label: { en: 'Prescription refill', es: 'Resurtido de receta' } },
  { code: 'medication-question', label: { en: 'Question about a medication', es: 'Pregunta sobre un medicamento' } },
  { code: 'test-result-question', label: { en: 'Question about a test result', es: 'Pregunta sobre un resultado' } },
  { code: 'appointment-question', label: { en: 'Question about an appointment', es: 'Pregunta sobre una cita' } },
  { code: 'billing', label: { en: 'Billing', es: 'Facturación' } },
  { code: 'other', label: { en: 'Something else', es: 'Otro asunto' } },
];

export const registrationSchema = z.strictObject({
  /** Free text for whoever edits the file (JSON has no comments). */
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1),
  /** The FHIR base URL (the SMART `iss`). `${PUBLIC_URL}` is replaced from the environment. */
  fhirBaseUrl: z.string().url(),
  /** Other `iss` values this EHR may launch with (aliases of the same server). */
  issuerAliases: z.array(z.string().url()).default([]),
  auth: z.discriminatedUnion('type', [smartAuth, openAuth]),
  /** Built-in sandbox EHR: served by this process; loopback-only TLS relaxation applies. */
  builtinSandbox: z.boolean().default(false),
  branding: z
    .strictObject({
      clinicName: z.string().min(1),
      logoUrl: z.string().url().optional(),
      primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
      supportPhone: z.string().optional(),
    })
    .default({ clinicName: 'Your clinic' }),
  /** Origins allowed to frame the portal (the EHR portal that embeds it). */
  frameAncestors: z.array(z.string().regex(/^(https?:\/\/[^\s;,'"]+|'self')$/, 'an origin like https://portal.example.org')).default([]),
  /** The id_token must show a second factor (amr / acr). */
  requireMfa: z.boolean().default(false),
  timeZone: z.string().default('America/Los_Angeles'),
  messaging: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The care team's pool or practitioner that patient messages go to. */
      recipient: z.string().regex(/^(Practitioner|PractitionerRole|Organization|CareTeam|Group)\/[A-Za-z0-9.-]+$/).optional(),
      responseTime: z.strictObject({ en: z.string(), es: z.string().optional() }).default({ en: 'We answer within 2 business days.' }),
      emergencyNotice: z
        .strictObject({ en: z.string(), es: z.string().optional() })
        .default({ en: 'Messages are not for emergencies. If this is an emergency, call 911.', es: 'Los mensajes no son para emergencias. Si es una emergencia, llame al 911.' }),
      purposes: z.array(purpose).min(1).default(DEFAULT_PURPOSES),
      maxBodyChars: z.number().int().positive().max(20000).default(5000),
      maxAttachments: z.number().int().min(0).max(10).default(3),
      maxAttachmentBytes: z.number().int().positive().max(25 * 1024 * 1024).default(5 * 1024 * 1024),
    })
    .prefault({}),
  appointmentRequests: z
    .strictObject({ enabled: z.boolean().default(true), as: z.enum(['Appointment', 'ServiceRequest']).default('Appointment') })
    .prefault({}),
  changeDetection: z
    .strictObject({
      mode: z.enum(['none', 'poll', 'subscription']).default('none'),
      /** SMART Backend Services client for polling (client_credentials + private_key_jwt). */
      backendClientId: z.string().optional(),
      /** Backend Services credentials for an EHR other than the built-in sandbox (which gets generated ones). */
      backend: z
        .strictObject({
          clientId: z.string().min(1),
          /** Private JWKS (RS384 and/or ES384 keys with kid): a file path or an environment variable. */
          privateJwks: z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ env: z.string().min(1) })]),
          alg: z.enum(['RS384', 'ES384']).default('ES384'),
        })
        .optional(),
      pollSeconds: z.number().int().min(5).max(3600).default(60),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      digestMinutes: z.number().min(0).max(1440).optional(),
      fromAddress: z.string().email().optional(),
      portalUrl: z.string().url().optional(),
      /** This clinic's defaults until a patient chooses (else NOTIFY_DEFAULT_CHANNELS / NOTIFY_DEFAULT_EVENTS). */
      defaults: z
        .strictObject({
          channels: z.array(z.enum(['email', 'sms-webhook'])),
          events: z.array(z.enum(['messages', 'results', 'appointments', 'delivery-problems'])),
        })
        .optional(),
    })
    .prefault({}),
  /** Where release-rule overrides for this EHR live (relative to smart-config/). */
  releaseRules: z.string().optional(),
  /** Largest number of search pages followed for one list. */
  maxPages: z.number().int().min(1).max(100).default(20),
  fhirTimeoutMs: z.number().int().min(500).max(120000).default(15000),
});

export type EhrRegistration = z.infer<typeof registrationSchema>;
export type MessagePurpose = z.infer<typeof purpose>;
