import type { Bundle, Resource } from 'fhir/r4.js';

/**
 * A transaction of PUTs on fixed ids, so loading the seed twice leaves one copy of each resource
 * and every reference (`Patient/maria-lopez`) is already final.
 */
export function transactionBundle(id: string, resources: readonly Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    id,
    type: 'transaction',
    entry: resources.map((resource) => {
      const url = `${resource.resourceType}/${resource.id}`;
      return { fullUrl: url, resource, request: { method: 'PUT', url } };
    }),
  };
}
