/**
 * Display text for people, organizations and coded concepts, as a patient would want to read it.
 */
import type { CodeableConcept, HumanName, Reference, Resource } from 'fhir/r4.js';
import type { ResourceIndex } from './references.js';

/** The name in use now: `official` or `usual`, else the first one; `text` wins when given. */
export function humanName(names: readonly HumanName[] | undefined): string | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const current = names.filter((n) => n.use !== 'old' && n.use !== 'maiden');
  const pick =
    current.find((n) => n.use === 'official') ?? current.find((n) => n.use === 'usual') ?? current[0] ?? names[0]!;
  if (pick.text !== undefined && pick.text.trim() !== '') return pick.text.trim();
  const parts = [...(pick.prefix ?? []), ...(pick.given ?? []), pick.family ?? '', ...(pick.suffix ?? [])]
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A concept's text, else the first coding display, else undefined (codes alone mean nothing to a patient). */
export function conceptText(concept: CodeableConcept | undefined): string | undefined {
  if (concept === undefined) return undefined;
  if (concept.text !== undefined && concept.text.trim() !== '') return concept.text.trim();
  const display = concept.coding?.find((c) => c.display !== undefined && c.display.trim() !== '')?.display;
  return display?.trim();
}

/** All codes of a concept, for table lookups (system ignored: EHRs disagree on the system URIs). */
export function conceptCodes(concept: CodeableConcept | undefined): string[] {
  return (concept?.coding ?? []).map((c) => c.code).filter((c): c is string => c !== undefined);
}

export const LOINC = 'http://loinc.org';

/** The LOINC code of a concept, if it has one. */
export function loincCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.system === LOINC && c.code !== undefined)?.code;
}

function personName(p: { name?: HumanName[] } | undefined): string | undefined {
  return p === undefined ? undefined : humanName(p.name);
}

/**
 * The name of whoever a reference points to: the included Practitioner, PractitionerRole (via its
 * practitioner or organization), Patient, RelatedPerson or Organization, else the reference's own
 * display text.
 */
export function actorName(ref: Reference | undefined, index: ResourceIndex, container?: Resource): string | undefined {
  if (ref === undefined) return undefined;
  const actor = index.resolve(
    ref,
    ['Practitioner', 'Patient', 'RelatedPerson', 'Organization', 'PractitionerRole', 'Location'],
    container,
  );
  let name: string | undefined;
  switch (actor?.resourceType) {
    case 'Practitioner':
    case 'Patient':
    case 'RelatedPerson':
      name = personName(actor);
      break;
    case 'Organization':
    case 'Location':
      name = actor.name?.trim() || undefined;
      break;
    case 'PractitionerRole':
      // Only one level: a role names its practitioner or organization, never another role.
      name =
        personName(index.resolve(actor.practitioner, ['Practitioner'], actor)) ??
        (index.resolve(actor.organization, ['Organization'], actor)?.name?.trim() || undefined) ??
        conceptText(actor.code?.[0]);
      break;
    default:
      break;
  }
  const display = ref.display?.trim();
  return name ?? (display === undefined || display === '' ? undefined : display);
}
