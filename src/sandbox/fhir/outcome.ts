import type Koa from 'koa';
import type { OperationOutcome } from 'fhir/r4.js';

type IssueCode = OperationOutcome['issue'][number]['code'];

export function operationOutcome(code: IssueCode, text: string, severity: 'error' | 'information' = 'error'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

/** FHIR errors leave as OperationOutcomes (http.html#rejecting-updates); texts carry no PHI. */
export function sendOutcome(ctx: Koa.Context, status: number, code: IssueCode, text: string): void {
  ctx.status = status;
  ctx.type = 'application/fhir+json';
  ctx.body = operationOutcome(code, text);
}

/** An error raised inside the FHIR layer that maps to one OperationOutcome response. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueCode,
    message: string,
  ) {
    super(message);
    this.name = 'FhirError';
  }
}
