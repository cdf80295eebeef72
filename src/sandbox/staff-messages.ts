import { parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Communication, Practitioner } from 'fhir/r4.js';
import { z } from 'zod';
import { FhirError } from './fhir/outcome.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

const FHIR_ID_FIELD = z.string().regex(FHIR_ID, 'must be a FHIR id');

export const StaffMessageInput = z
  .object({
    patient: FHIR_ID_FIELD,
    threadId: FHIR_ID_FIELD.optional(),
    body: z.string().trim().min(1, 'must not be empty').max(20_000, 'is too long'),
  })
  .strict();
export type StaffMessageInput = z.infer<typeof StaffMessageInput>;

export interface StaffMessageResult {
  threadId: string;
  messageId: string;
  practitionerId: string;
}

async function exists(repo: MemoryRepository, type: string, id: string): Promise<boolean> {
  try {
    await repo.readResource(type, id);
    return true;
  } catch {
    return false;
  }
}

/** The seed's default clinician, else any Practitioner, else a sandbox clinician created once. */
export async function resolveClinician(repo: MemoryRepository, preferred: string | undefined): Promise<string> {
  if (preferred && (await exists(repo, 'Practitioner', preferred))) return preferred;
  const any = await repo.searchOne(parseSearchRequest('Practitioner', { _count: '1' }));
  if (any?.id) return any.id;
  const created = (await repo.createResource({
    resourceType: 'Practitioner',
    id: 'sandbox-clinician',
    name: [{ given: ['Sandbox'], family: 'Clinician', prefix: ['Dr.'] }],
  } satisfies Practitioner as never)) as unknown as Practitioner;
  return created.id ?? 'sandbox-clinician';
}

/**
 * A clinician's reply: a Communication from the Practitioner to the patient, `partOf` the thread
 * header and `inResponseTo` the patient's latest message. Without a thread it opens one (header +
 * message).
 */
export async function postStaffMessage(
  repo: MemoryRepository,
  input: StaffMessageInput,
  practitionerId: string,
  now: Date,
): Promise<StaffMessageResult> {
  if (!(await exists(repo, 'Patient', input.patient))) throw new FhirError(404, 'not-found', 'Unknown patient.');
  const patientRef = { reference: `Patient/${input.patient}` };
  const sender = { reference: `Practitioner/${practitionerId}` };
  const sent = now.toISOString();
  // Header and message alike: from the clinician to the patient, about the patient, now.
  const fromClinic = { resourceType: 'Communication', status: 'completed', subject: patientRef, sender, recipient: [patientRef], sent } satisfies Communication;
  let threadId = input.threadId;
  let inResponseTo: Communication['inResponseTo'];
  if (threadId) {
    let header: Communication;
    try {
      header = (await repo.readResource('Communication', threadId)) as unknown as Communication;
    } catch {
      throw new FhirError(404, 'not-found', 'Unknown thread.');
    }
    if (header.subject?.reference !== patientRef.reference) throw new FhirError(404, 'not-found', 'Unknown thread.');
    const messages = (await repo.searchResources(
      parseSearchRequest('Communication', { 'part-of': `Communication/${threadId}`, _count: '1000' }),
    )) as unknown as Communication[];
    const last = messages
      .filter((m) => /^(Patient|RelatedPerson)\//.test(m.sender?.reference ?? ''))
      .sort((a, b) => (b.sent ?? '').localeCompare(a.sent ?? ''))[0];
    if (last?.id) inResponseTo = [{ reference: `Communication/${last.id}` }];
  } else {
    const header = (await repo.createResource({
      ...fromClinic,
      topic: { text: 'Message from your care team' },
    } satisfies Communication as never)) as unknown as Communication;
    threadId = header.id ?? '';
  }
  const message = (await repo.createResource({
    ...fromClinic,
    partOf: [{ reference: `Communication/${threadId}` }],
    ...(inResponseTo ? { inResponseTo } : {}),
    payload: [{ contentString: input.body }],
  } satisfies Communication as never)) as unknown as Communication;
  return { threadId, messageId: message.id ?? '', practitionerId };
}
