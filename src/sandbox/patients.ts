import { parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { HumanName, Patient, RelatedPerson } from 'fhir/r4.js';
import type { SandboxPatient } from './types.js';
import { humanName } from '../views/names.js';

/** A person's display name (the portal's own rule), or a placeholder for a record without one. */
export function displayName(names: HumanName[] | undefined): string {
  return humanName(names) ?? '(no name)';
}

function relationship(rp: RelatedPerson): string {
  const r = rp.relationship?.[0];
  return r?.text ?? r?.coding?.[0]?.display ?? r?.coding?.[0]?.code ?? 'proxy';
}

async function countFor(repo: MemoryRepository, type: string, patientId: string): Promise<number> {
  const b = await repo.search(parseSearchRequest(type, { patient: `Patient/${patientId}`, _count: '0' }));
  return b.total ?? 0;
}

/**
 * The sandbox's patients and who may act for them. `descriptions` come from the project seed;
 * others are described from their data (`sourceLabel` names where they were loaded from).
 */
export async function listPatients(
  repo: MemoryRepository,
  descriptions: ReadonlyMap<string, string>,
  sourceLabel: (id: string) => string,
): Promise<SandboxPatient[]> {
  const patients = (await repo.searchResources(parseSearchRequest('Patient', { _count: '1000' }))) as unknown as Patient[];
  const proxies = (await repo.searchResources(parseSearchRequest('RelatedPerson', { _count: '1000' }))) as unknown as RelatedPerson[];
  const out: SandboxPatient[] = [];
  for (const p of patients) {
    const id = p.id ?? '';
    let description = descriptions.get(id);
    if (description === undefined) {
      const [reports, observations] = await Promise.all([countFor(repo, 'DiagnosticReport', id), countFor(repo, 'Observation', id)]);
      description = `${sourceLabel(id)}: ${reports} reports, ${observations} observations`;
    }
    out.push({
      id,
      name: displayName(p.name),
      birthDate: p.birthDate,
      description,
      proxies: proxies
        .filter((rp) => rp.patient?.reference === `Patient/${id}` && rp.active !== false)
        .map((rp) => ({ id: rp.id ?? '', name: displayName(rp.name), relationship: relationship(rp) })),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
