/**
 * Resolving FHIR references against the resources that came with a search (`_include`), a
 * transaction bundle (`urn:uuid:` full URLs, as Synthea writes them) or a resource's `contained`
 * list. Every resolved resource passes its zod schema first; anything else counts as absent.
 * Spec: https://hl7.org/fhir/R4/references.html
 */
import type { Reference, Resource } from 'fhir/r4.js';
import { checkResource, isCheckedResourceType, type CheckedResourceType, type ResourceByType } from '../fhir/resource-schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A relative `Type/id` reference with nothing to normalise (no query, version or URL parts). */
const PLAIN_RELATIVE = /^[A-Z][A-Za-z]+\/[^/?#]+$/;

/**
 * A reference's lookup key: `Type/id` for relative and absolute URLs (version suffix dropped),
 * `urn:uuid:…` as is, `#id` for contained. Undefined for anything else.
 */
export function referenceKey(reference: string | undefined): string | undefined {
  if (reference === undefined || reference.length === 0) return undefined;
  // Most references are already `Type/id`: that spelling is its own key.
  if (PLAIN_RELATIVE.test(reference)) return reference;
  if (reference.startsWith('#')) return reference;
  if (reference.toLowerCase().startsWith('urn:uuid:')) return `urn:uuid:${reference.slice(9).toLowerCase()}`;
  const parts = reference.split('?')[0]!.split('/').filter((p) => p.length > 0);
  const history = parts.lastIndexOf('_history');
  const segments = history >= 2 ? parts.slice(0, history) : parts;
  if (segments.length < 2) return undefined;
  const [type, id] = segments.slice(-2) as [string, string];
  return /^[A-Z][A-Za-z]+$/.test(type) ? `${type}/${id}` : undefined;
}

/** The resource type a reference points to, when it says (`Practitioner/1` → `Practitioner`). */
export function referenceType(reference: string | undefined): string | undefined {
  const key = referenceKey(reference);
  if (key === undefined || key.startsWith('#') || key.startsWith('urn:')) return undefined;
  return key.split('/')[0];
}

/** The id part of a `Type/id` reference of the given type. */
export function referenceId(reference: string | undefined, type: string): string | undefined {
  const key = referenceKey(reference);
  if (key?.startsWith(`${type}/`)) return key.slice(type.length + 1);
  if (key?.startsWith('urn:uuid:')) return key.slice(9);
  return undefined;
}

function keysOf(resource: { resourceType: string; id?: string }): string[] {
  if (resource.id === undefined) return [];
  const keys = [`${resource.resourceType}/${resource.id}`];
  if (UUID.test(resource.id)) keys.push(`urn:uuid:${resource.id.toLowerCase()}`);
  return keys;
}

function isResourceLike(value: unknown): value is { resourceType: string; id?: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string' &&
    ((value as { id?: unknown }).id === undefined || typeof (value as { id?: unknown }).id === 'string')
  );
}

export class ResourceIndex {
  private readonly byKey = new Map<string, unknown>();
  /** Schema results per object, so a resource referenced many times is checked once. */
  private readonly checked = new WeakMap<object, unknown>();

  constructor(resources: readonly unknown[]) {
    for (const r of resources) {
      if (!isResourceLike(r)) continue;
      for (const key of keysOf(r)) if (!this.byKey.has(key)) this.byKey.set(key, r);
    }
  }

  /**
   * The referenced resource if it is one of `types` and passes its schema. `container` is the
   * resource holding the reference, for `#id` references to its contained resources.
   */
  resolve<K extends CheckedResourceType>(
    ref: Reference | string | undefined,
    types: readonly K[],
    container?: Resource,
  ): ResourceByType[K] | undefined {
    const reference = typeof ref === 'string' ? ref : ref?.reference;
    const key = referenceKey(reference);
    if (key === undefined) return undefined;
    let found: unknown;
    if (key.startsWith('#')) {
      const contained = (container as { contained?: unknown[] } | undefined)?.contained ?? [];
      found = contained.find((c) => isResourceLike(c) && `#${c.id}` === key);
    } else {
      found = this.byKey.get(key);
    }
    if (!isResourceLike(found) || !isCheckedResourceType(found.resourceType)) return undefined;
    const type = found.resourceType as K;
    if (!types.includes(type)) return undefined;
    return this.check(found, type);
  }

  private check<K extends CheckedResourceType>(found: object, type: K): ResourceByType[K] | undefined {
    if (this.checked.has(found)) return (this.checked.get(found) ?? undefined) as ResourceByType[K] | undefined;
    const checked = checkResource(found, type);
    const value = checked.ok ? checked.value : undefined;
    this.checked.set(found, value ?? null);
    return value;
  }

  /** All indexed resources of one type that pass their schema. */
  all<K extends CheckedResourceType>(type: K): ResourceByType[K][] {
    const out: ResourceByType[K][] = [];
    const seen = new Set<unknown>();
    for (const r of this.byKey.values()) {
      if (seen.has(r) || !isResourceLike(r) || r.resourceType !== type) continue;
      seen.add(r);
      const value = this.check(r, type);
      if (value !== undefined) out.push(value);
    }
    return out;
  }
}
