import type { Bundle, Resource } from 'fhir/r4.js';
import type { Seed } from '../../../src/sandbox/seed/index.js';

export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

export function resources(seed: Seed): Resource[] {
  return seed.bundles.flatMap((b: Bundle) => (b.entry ?? []).map((e) => e.resource as Resource));
}

export function index(seed: Seed): Map<string, Resource> {
  const map = new Map<string, Resource>();
  for (const r of resources(seed)) map.set(`${r.resourceType}/${r.id}`, r);
  return map;
}

/** Every `reference` string anywhere inside a value, plus Attachment urls. */
export function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) referencesIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else if (k === 'url' && typeof v === 'string' && v.startsWith('Binary/')) out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

export function hasLabel(r: Resource, system: string, code: string): boolean {
  return (r.meta?.security ?? []).some((c) => c.system === system && c.code === code);
}

export function hasCode(concept: { coding?: { system?: string; code?: string }[] } | undefined, code: string): boolean {
  return (concept?.coding ?? []).some((c) => c.code === code);
}

export function ofType<T extends Resource>(seed: Seed, type: T['resourceType'], patientId?: string): T[] {
  return resources(seed).filter((r): r is T => {
    if (r.resourceType !== type) return false;
    if (patientId === undefined) return true;
    const subject = (r as { subject?: { reference?: string }; patient?: { reference?: string } }).subject
      ?? (r as { patient?: { reference?: string } }).patient;
    if (subject) return subject.reference === `Patient/${patientId}`;
    return (r as { participant?: { actor?: { reference?: string } }[] }).participant
      ?.some((p) => p.actor?.reference === `Patient/${patientId}`) ?? false;
  });
}

/** Whole years between a FHIR birth date and an instant, counted on the calendar of `timeZone`. */
export function ageAt(birthDate: string, now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const y = get('year'), m = get('month'), d = get('day');
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const HOUR = 3_600_000;
