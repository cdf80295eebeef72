import type { Coding, Reference, Resource } from 'fhir/r4.js';

/**
 * Collects one patient's resources in bundle order and hands out ids. Ids are opaque
 * (`dr-ml-03`), never the test's name: they end up in portal URLs and logs, and an id such as
 * "hiv-test" would disclose the result type there.
 */
export class PatientRecord {
  readonly resources: Resource[] = [];
  /** Named handles on notable resources (`hivReport` → `DiagnosticReport/dr-ml-05`) for tests and demos. */
  readonly landmarks: Record<string, string> = {};
  private readonly counters = new Map<string, number>();

  constructor(
    readonly now: Date,
    readonly patientId: string,
    private readonly prefix: string,
  ) {}

  nextId(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${kind}-${this.prefix}-${String(n).padStart(2, '0')}`;
  }

  add<T extends Resource>(resource: T, landmark?: string): T {
    this.resources.push(resource);
    if (landmark !== undefined) {
      if (this.landmarks[landmark] !== undefined) throw new Error(`duplicate landmark ${landmark}`);
      this.landmarks[landmark] = ref(resource).reference as string;
    }
    return resource;
  }

  get patient(): Reference {
    return { reference: `Patient/${this.patientId}` };
  }
}

export function ref(resource: Resource): Reference {
  if (!resource.id) throw new Error(`${resource.resourceType} has no id`);
  return { reference: `${resource.resourceType}/${resource.id}` };
}

export function securityMeta(labels: readonly Coding[] | undefined): { meta?: { security: Coding[] } } {
  return labels && labels.length > 0 ? { meta: { security: [...labels] } } : {};
}
