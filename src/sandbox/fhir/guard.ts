import type { MemoryRepository } from '@medplum/fhir-router';
import { parseSearchRequest } from '@medplum/core';
import type { Binary, Resource } from 'fhir/r4.js';
import { allows, type FhirAccess } from './access.js';
import { SHARED_TYPES, inPatientCompartment, referencesBinary } from './compartment.js';

/** A Binary belongs to the patient through its securityContext or an attachment that points at it. */
async function binaryInCompartment(repo: MemoryRepository, binary: Binary, patient: string): Promise<boolean> {
  const ctxRef = binary.securityContext?.reference;
  if (ctxRef) return ctxRef === `Patient/${patient}` || inPatientCompartment((await readOrUndefined(repo, ctxRef)) ?? binary, patient);
  for (const type of ['DocumentReference', 'Communication', 'DiagnosticReport'] as const) {
    const bundle = await repo.search(parseSearchRequest(type, { patient: `Patient/${patient}` }));
    if ((bundle.entry ?? []).some((e) => e.resource && referencesBinary(e.resource as unknown as Resource, binary.id ?? ''))) {
      return true;
    }
  }
  return false;
}

async function readOrUndefined(repo: MemoryRepository, reference: string): Promise<Resource | undefined> {
  const [type, id] = reference.split('/');
  if (!type || !id) return undefined;
  try {
    return (await repo.readResource(type, id)) as unknown as Resource;
  } catch {
    return undefined;
  }
}

/** Read permission: scopes name the type, and for patient tokens the resource is in the compartment. */
export async function canRead(repo: MemoryRepository, access: FhirAccess, resource: Resource): Promise<boolean> {
  if (!allows(access, resource.resourceType, 'r')) return false;
  if (access.kind === 'system') return true;
  if (SHARED_TYPES.has(resource.resourceType)) return true;
  if (resource.resourceType === 'Binary') return binaryInCompartment(repo, resource as Binary, access.patient);
  return inPatientCompartment(resource, access.patient);
}

/** Write permission on the new content (the old content is checked with canRead). */
export function canWriteContent(access: FhirAccess, resource: Resource): boolean {
  if (access.kind === 'system') return true;
  if (SHARED_TYPES.has(resource.resourceType)) return false;
  if (resource.resourceType === 'Binary') return (resource as Binary).securityContext?.reference === `Patient/${access.patient}`;
  return inPatientCompartment(resource, access.patient);
}
