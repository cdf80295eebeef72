import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths that must never reach a log line: credentials, cookies, people's names, free text and
 * request/response bodies. pino replaces them with "[redacted]" wherever they appear.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.token',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.code_verifier',
  '*.codeVerifier',
  '*.name',
  '*.given',
  '*.family',
  '*.body',
  '*.text',
  '*.subject',
  '*.telecom',
  '*.email',
  'body',
  'requestBody',
];

export type { Logger };

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'fhir-portal-adapter' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
