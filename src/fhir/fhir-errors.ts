import { AppError } from '../http/errors.js';

/** What went wrong talking to the EHR, in terms the rest of the app acts on. */
export type EhrFailureKind = 'unavailable' | 'unauthorized' | 'forbidden' | 'not_found' | 'rejected' | 'conflict';

export class EhrError extends AppError {
  constructor(
    readonly kind: EhrFailureKind,
    readonly ehrStatus: number | undefined,
    status: number,
    code: string,
    message: string,
    action?: string,
    /** For rejected writes: the EHR's own reason (OperationOutcome diagnostics), kept for the patient. */
    readonly ehrReason?: string,
  ) {
    super(status, code, message, { expose: true, ...(action ? { action } : {}) });
  }
}

/** OperationOutcome text for a rejected write: what the EHR said, cut short, no stack traces. */
export function outcomeText(body: unknown): string | undefined {
  const oo = body as { resourceType?: string; issue?: { diagnostics?: string; details?: { text?: string } }[] };
  if (oo?.resourceType !== 'OperationOutcome' || !Array.isArray(oo.issue)) return undefined;
  const text = oo.issue.map((i) => i.details?.text ?? i.diagnostics ?? '').filter(Boolean).join('; ');
  return text ? text.slice(0, 500) : undefined;
}

export function ehrFailure(ehrName: string, status: number | undefined, body?: unknown): EhrError {
  if (status === undefined || status >= 500 || status === 429 || status === 408) {
    return new EhrError('unavailable', status, 503, 'ehr_unavailable', `${ehrName} is not answering right now.`, 'Nothing you sent has been lost. Please try again in a few minutes.');
  }
  if (status === 401) {
    return new EhrError('unauthorized', status, 401, 'ehr_session_expired', `Your sign-in with ${ehrName} has ended.`, 'Please launch the app again from your patient portal.');
  }
  if (status === 403) {
    return new EhrError('forbidden', status, 403, 'section_unavailable', `${ehrName} does not allow this app to do this.`);
  }
  if (status === 404 || status === 410) return new EhrError('not_found', status, 404, 'not_found', 'We could not find that item.');
  if (status === 409 || status === 412) return new EhrError('conflict', status, 409, 'ehr_conflict', `${ehrName} refused the change because of a conflict.`);
  return new EhrError('rejected', status, 422, 'ehr_rejected', `${ehrName} did not accept this.`, undefined, outcomeText(body));
}
