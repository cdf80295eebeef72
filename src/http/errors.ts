/**
 * Typed errors: every failure the app raises on purpose carries an HTTP status, a stable
 * machine-readable code and whether its message is safe to show. Anything else leaves the
 * error middleware as a generic 500 with a correlation id (see error-handler.ts).
 */
export interface AppErrorOptions {
  /** Safe to show the message to the caller (no PHI, no token, no internals). */
  expose?: boolean;
  /** Field-level problems for validation errors: path → message. */
  fields?: Record<string, string>;
  /** What the person can do next, in plain words. */
  action?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly fields: Record<string, string> | undefined;
  readonly action: string | undefined;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.fields = options.fields;
    this.action = options.action;
  }
}

export const badRequest = (code: string, message: string, fields?: Record<string, string>) =>
  new AppError(400, code, message, { fields });
export const unauthorized = (code: string, message: string, action?: string) =>
  new AppError(401, code, message, { action });
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (code = 'not_found', message = 'Not found.') => new AppError(404, code, message);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
