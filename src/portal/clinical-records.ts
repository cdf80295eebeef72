import type { DiagnosticReport, DocumentReference, FhirResource, Observation } from 'fhir/r4.js';
import { applyPolicy, type PolicyOutcome } from '../policy/index.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import type { PortalCall } from './portal.js';
import { policyContext } from './policy-context.js';

export interface ClinicalRecords {
  outcome: PolicyOutcome;
  /** Included resources (Practitioner, Organization…) that are not clinical content. */
  supporting: FhirResource[];
  cut: boolean;
}

const isObservation = (r: FhirResource): r is Observation => r.resourceType === 'Observation';

/**
 * Reports (with their results) and documents, read in one parallel wave and decided together by
 * the release policy, so a held report also holds its results, its PDF and any document that
 * carries it — in every endpoint that shows any of them.
 */
export async function loadClinicalRecords(call: PortalCall, fhir: FhirSession, want: { reports: boolean; documents: boolean }): Promise<ClinicalRecords> {
  const [reports, documents, ctx] = await Promise.all([
    want.reports || want.documents
      ? fhir.searchPatient<DiagnosticReport>('DiagnosticReport', 'patient', { _include: 'DiagnosticReport:result', _count: '100', _sort: '-issued' })
      : undefined,
    want.documents ? fhir.searchPatient<DocumentReference>('DocumentReference', 'patient', { _count: '100', _sort: '-date' }) : undefined,
    policyContext(call),
  ]);
  const included = [...(reports?.included ?? []), ...(documents?.included ?? [])];
  const outcome = applyPolicy(
    { reports: reports?.matches ?? [], observations: included.filter(isObservation), documents: documents?.matches ?? [] },
    ctx,
    call.s.rules(call.session.ehrId),
  );
  return {
    outcome,
    supporting: included.filter((r) => !isObservation(r)),
    cut: Boolean(reports?.cut || documents?.cut),
  };
}
