import type { DiagnosticReport, DocumentReference, FhirResource, Observation } from 'fhir/r4.js';
import { applyPolicy, type PolicyOutcome, type ResultSet } from '../policy/index.js';
import type { PolicyContext } from '../policy/types.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import type { PortalCall } from './portal.js';
import { policyContext } from './policy-context.js';

export interface ClinicalRecords {
  outcome: PolicyOutcome;
  /** Included resources (Practitioner, Organization…) that are not clinical content. */
  supporting: FhirResource[];
  cut: boolean;
  /** Every report the EHR returned, before the policy: only for the clinician's list of what the patient sees. */
  allReports: DiagnosticReport[];
  /** Every document the EHR returned, before the policy: an upload it holds back is still its copy. */
  allDocuments: DocumentReference[];
}

const isObservation = (r: FhirResource): r is Observation => r.resourceType === 'Observation';

/** The Observation search beside the report search: lab values and vital signs, newest first. */
export const OBSERVATION_SEARCH = { category: 'laboratory,vital-signs', _count: '100', _sort: '-date' } as const;

/** A report's result may also match the Observation search: keep each resource once. */
function uniqueById(list: Observation[]): Observation[] {
  const seen = new Set<string>();
  return list.filter((o) => {
    if (o.id === undefined) return true;
    if (seen.has(o.id)) return false;
    seen.add(o.id);
    return true;
  });
}

/** A patient's clinical record as the EHR returned it, before any decision. */
export interface ClinicalRead {
  /** What the release policy decides on, together. */
  set: ResultSet;
  /** Included resources (Practitioner, Organization…) that are not clinical content. */
  supporting: FhirResource[];
  cut: boolean;
}

/**
 * Reports (with their results), other lab and vital-sign Observations, and documents, read in
 * one parallel wave. Every reader that decides on a patient's results (the portal's pages, the
 * clinician's list, the notifier) decides on this same set, so a held report also holds its
 * results, its PDF and any document that carries it, wherever any of them shows.
 */
export async function readClinicalRecords(fhir: FhirSession, want: { reports: boolean; documents: boolean }): Promise<ClinicalRead> {
  const [reports, observations, documents] = await Promise.all([
    want.reports || want.documents
      ? fhir.searchPatient<DiagnosticReport>('DiagnosticReport', 'patient', { _include: 'DiagnosticReport:result', _count: '100', _sort: '-issued' })
      : undefined,
    // Lab values and vital signs that no report carries (trends, stand-alone results).
    want.reports ? fhir.searchPatient<Observation>('Observation', 'patient', OBSERVATION_SEARCH) : undefined,
    want.documents ? fhir.searchPatient<DocumentReference>('DocumentReference', 'patient', { _count: '100', _sort: '-date' }) : undefined,
  ]);
  const included = [...(reports?.included ?? []), ...(documents?.included ?? [])];
  return {
    set: { reports: reports?.matches ?? [], observations: uniqueById([...included.filter(isObservation), ...(observations?.matches ?? [])]), documents: documents?.matches ?? [] },
    supporting: included.filter((r) => !isObservation(r)),
    cut: Boolean(reports?.cut || observations?.cut || documents?.cut),
  };
}

/** The record read and decided for this call's viewer (or, with `as`, for another viewer). */
export async function loadClinicalRecords(
  call: PortalCall,
  fhir: FhirSession,
  want: { reports: boolean; documents: boolean },
  /** Decide as this viewer would be shown the record (a clinician checking what the patient sees). */
  as?: PolicyContext['viewer'],
): Promise<ClinicalRecords> {
  const [read, ctx] = await Promise.all([readClinicalRecords(fhir, want), policyContext(call)]);
  return {
    outcome: applyPolicy(read.set, as ? { ...ctx, viewer: as } : ctx, call.s.rules(call.session.ehrId)),
    supporting: read.supporting,
    cut: read.cut,
    allReports: read.set.reports,
    allDocuments: read.set.documents,
  };
}
