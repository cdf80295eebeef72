/**
 * Boundary checks for the FHIR R4 resources we read from an EHR. Loose on purpose: each schema
 * names only the fields the adapter relies on and checks their types; any other field is
 * allowed (EHRs add extensions and vendor fields freely). A resource that passes is handed on
 * as it came, every field kept, so the schemas are plain (stripping) objects: zod then never
 * walks or copies the fields it does not check. A resource that fails is skipped and
 * counted, never thrown on: one bad resource must not hide a patient's other messages or results.
 * Problems carry paths and zod issue codes only, never values, so they are safe to log.
 * Spec: https://hl7.org/fhir/R4/
 */
import { z } from 'zod';
import type {
  Appointment,
  Communication,
  DiagnosticReport,
  DocumentReference,
  Endpoint,
  Location,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
} from 'fhir/r4.js';
import { FHIR_ID } from './fhir-id.js';

// https://hl7.org/fhir/R4/datatypes.html#id
const fhirId = z.string().regex(FHIR_ID);
// https://hl7.org/fhir/R4/datatypes.html#dateTime (partial dates allowed; time needs a zone)
const fhirDateTime = z
  .string()
  .regex(
    /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/,
  );
// https://hl7.org/fhir/R4/datatypes.html#instant
const fhirInstant = z
  .string()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/,
  );
const fhirCode = z.string().regex(/^[^\s]+( [^\s]+)*$/);

export const ReferenceSchema = z.object({
  reference: z.string().optional(),
  display: z.string().optional(),
});
export const CodingSchema = z.object({
  system: z.string().optional(),
  code: z.string().optional(),
  display: z.string().optional(),
});
export const CodeableConceptSchema = z.object({
  coding: z.array(CodingSchema).optional(),
  text: z.string().optional(),
});
export const PeriodSchema = z.object({ start: fhirDateTime.optional(), end: fhirDateTime.optional() });
export const QuantitySchema = z.object({
  value: z.number().optional(),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
  unit: z.string().optional(),
  code: z.string().optional(),
});
export const RangeSchema = z.object({ low: QuantitySchema.optional(), high: QuantitySchema.optional() });
export const RatioSchema = z.object({
  numerator: QuantitySchema.optional(),
  denominator: QuantitySchema.optional(),
});
export const AttachmentSchema = z.object({
  contentType: fhirCode.optional(),
  url: z.string().optional(),
  data: z.string().optional(),
  title: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  creation: fhirDateTime.optional(),
});
export const HumanNameSchema = z.object({
  use: z.string().optional(),
  text: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  prefix: z.array(z.string()).optional(),
  suffix: z.array(z.string()).optional(),
  period: PeriodSchema.optional(),
});
export const AddressSchema = z.object({
  text: z.string().optional(),
  line: z.array(z.string()).optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});
export const ContactPointSchema = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
  use: z.string().optional(),
});
export const IdentifierSchema = z.object({ system: z.string().optional(), value: z.string().optional() });
/** On the resources the outbox writes: each carries the write identifier its delivery is matched by. */
const writtenHere = { identifier: z.array(IdentifierSchema).optional() };
export const AnnotationSchema = z.object({ text: z.string() });

type ExtensionShape = { url: string; valueUrl?: string; valueUri?: string; valueString?: string; extension?: ExtensionShape[] };
export const ExtensionSchema: z.ZodType<ExtensionShape> = z.object({
  url: z.string(),
  valueUrl: z.string().optional(),
  valueUri: z.string().optional(),
  valueString: z.string().optional(),
  get extension() {
    return z.array(ExtensionSchema).optional();
  },
});

const meta = z.object({ lastUpdated: fhirInstant.optional() });
/** Fields every resource we read carries; `contained` items are checked when they are used. */
const base = {
  id: fhirId,
  meta: meta.optional(),
  contained: z.array(z.object({ resourceType: z.string(), id: fhirId.optional() })).optional(),
  extension: z.array(ExtensionSchema).optional(),
};

export const CommunicationSchema = z.object({
  ...base,
  ...writtenHere,
  resourceType: z.literal('Communication'),
  status: fhirCode,
  partOf: z.array(ReferenceSchema).optional(),
  inResponseTo: z.array(ReferenceSchema).optional(),
  category: z.array(CodeableConceptSchema).optional(),
  topic: CodeableConceptSchema.optional(),
  subject: ReferenceSchema.optional(),
  sent: fhirDateTime.optional(),
  received: fhirDateTime.optional(),
  sender: ReferenceSchema.optional(),
  recipient: z.array(ReferenceSchema).optional(),
  payload: z
    .array(
      z.object({
        contentString: z.string().optional(),
        contentAttachment: AttachmentSchema.optional(),
        contentReference: ReferenceSchema.optional(),
      }),
    )
    .optional(),
  note: z.array(AnnotationSchema).optional(),
});

export const AppointmentSchema = z.object({
  ...base,
  ...writtenHere,
  resourceType: z.literal('Appointment'),
  // https://hl7.org/fhir/R4/valueset-appointmentstatus.html
  status: z.enum([
    'proposed',
    'pending',
    'booked',
    'arrived',
    'fulfilled',
    'cancelled',
    'noshow',
    'entered-in-error',
    'checked-in',
    'waitlist',
  ]),
  serviceType: z.array(CodeableConceptSchema).optional(),
  appointmentType: CodeableConceptSchema.optional(),
  reasonCode: z.array(CodeableConceptSchema).optional(),
  description: z.string().optional(),
  start: fhirInstant.optional(),
  end: fhirInstant.optional(),
  minutesDuration: z.number().int().positive().optional(),
  comment: z.string().optional(),
  patientInstruction: z.string().optional(),
  requestedPeriod: z.array(PeriodSchema).optional(),
  participant: z.array(
    z.object({
      actor: ReferenceSchema.optional(),
      type: z.array(CodeableConceptSchema).optional(),
      status: fhirCode,
    }),
  ),
});

/** What an Observation and a DiagnosticReport share: a coded, dated, attributed result. */
const clinicalResult = {
  status: fhirCode,
  category: z.array(CodeableConceptSchema).optional(),
  code: CodeableConceptSchema,
  subject: ReferenceSchema.optional(),
  effectiveDateTime: fhirDateTime.optional(),
  effectivePeriod: PeriodSchema.optional(),
  issued: fhirInstant.optional(),
  performer: z.array(ReferenceSchema).optional(),
};

/** value[x] with its flag and usual range: an Observation's own, or one of its components'. */
const observedValue = {
  valueQuantity: QuantitySchema.optional(),
  valueString: z.string().optional(),
  valueCodeableConcept: CodeableConceptSchema.optional(),
  valueBoolean: z.boolean().optional(),
  valueInteger: z.number().int().optional(),
  dataAbsentReason: CodeableConceptSchema.optional(),
  interpretation: z.array(CodeableConceptSchema).optional(),
  referenceRange: z
    .array(z.object({ low: QuantitySchema.optional(), high: QuantitySchema.optional(), text: z.string().optional() }))
    .optional(),
};

export const ObservationSchema = z.object({
  ...base,
  resourceType: z.literal('Observation'),
  ...clinicalResult,
  effectiveInstant: fhirInstant.optional(),
  ...observedValue,
  valueRange: RangeSchema.optional(),
  valueRatio: RatioSchema.optional(),
  note: z.array(AnnotationSchema).optional(),
  hasMember: z.array(ReferenceSchema).optional(),
  component: z.array(z.object({ code: CodeableConceptSchema, ...observedValue })).optional(),
});

export const DiagnosticReportSchema = z.object({
  ...base,
  resourceType: z.literal('DiagnosticReport'),
  ...clinicalResult,
  resultsInterpreter: z.array(ReferenceSchema).optional(),
  result: z.array(ReferenceSchema).optional(),
  conclusion: z.string().optional(),
  presentedForm: z.array(AttachmentSchema).optional(),
});

export const DocumentReferenceSchema = z.object({
  ...base,
  ...writtenHere,
  resourceType: z.literal('DocumentReference'),
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  docStatus: fhirCode.optional(),
  type: CodeableConceptSchema.optional(),
  category: z.array(CodeableConceptSchema).optional(),
  subject: ReferenceSchema.optional(),
  date: fhirInstant.optional(),
  author: z.array(ReferenceSchema).optional(),
  description: z.string().optional(),
  content: z.array(z.object({ attachment: AttachmentSchema })).min(1),
  context: z.object({ period: PeriodSchema.optional() }).optional(),
});

const person = {
  name: z.array(HumanNameSchema).optional(),
  telecom: z.array(ContactPointSchema).optional(),
};
export const PatientSchema = z.object({ ...base, resourceType: z.literal('Patient'), ...person });
export const PractitionerSchema = z.object({ ...base, resourceType: z.literal('Practitioner'), ...person });
export const RelatedPersonSchema = z.object({
  ...base,
  resourceType: z.literal('RelatedPerson'),
  ...person,
  patient: ReferenceSchema,
  relationship: z.array(CodeableConceptSchema).optional(),
});
export const LocationSchema = z.object({
  ...base,
  resourceType: z.literal('Location'),
  name: z.string().optional(),
  address: AddressSchema.optional(),
  telecom: z.array(ContactPointSchema).optional(),
});
export const OrganizationSchema = z.object({
  ...base,
  resourceType: z.literal('Organization'),
  name: z.string().optional(),
  address: z.array(AddressSchema).optional(),
  telecom: z.array(ContactPointSchema).optional(),
});
export const PractitionerRoleSchema = z.object({
  ...base,
  resourceType: z.literal('PractitionerRole'),
  practitioner: ReferenceSchema.optional(),
  organization: ReferenceSchema.optional(),
  code: z.array(CodeableConceptSchema).optional(),
  specialty: z.array(CodeableConceptSchema).optional(),
});
/** Only read from an Appointment's `contained` (telehealth address). */
export const EndpointSchema = z.object({
  ...base,
  resourceType: z.literal('Endpoint'),
  status: fhirCode,
  address: z.string(),
  name: z.string().optional(),
});

export const resourceSchemas = {
  Communication: CommunicationSchema,
  Appointment: AppointmentSchema,
  DiagnosticReport: DiagnosticReportSchema,
  Observation: ObservationSchema,
  DocumentReference: DocumentReferenceSchema,
  Patient: PatientSchema,
  Practitioner: PractitionerSchema,
  RelatedPerson: RelatedPersonSchema,
  Location: LocationSchema,
  Organization: OrganizationSchema,
  PractitionerRole: PractitionerRoleSchema,
  Endpoint: EndpointSchema,
} as const;

export interface ResourceByType {
  Communication: Communication;
  Appointment: Appointment;
  DiagnosticReport: DiagnosticReport;
  Observation: Observation;
  DocumentReference: DocumentReference;
  Patient: Patient;
  Practitioner: Practitioner;
  RelatedPerson: RelatedPerson;
  Location: Location;
  Organization: Organization;
  PractitionerRole: PractitionerRole;
  Endpoint: Endpoint;
}
export type CheckedResourceType = keyof ResourceByType;

export function isCheckedResourceType(value: unknown): value is CheckedResourceType {
  return typeof value === 'string' && Object.hasOwn(resourceSchemas, value);
}

/** Where a resource failed: its position in the input, the field path and the zod issue code. */
export interface ResourceProblem {
  index: number;
  path: string;
  code: string;
}
export interface CheckResult<T> {
  valid: T[];
  invalid: number;
  problems: ResourceProblem[];
}

/** At most this many problems are kept per resource, so a huge malformed resource cannot flood a log. */
const MAX_PROBLEMS_PER_RESOURCE = 5;

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map((p) => String(p)).join('.');
}

/** Checks one resource; answers the typed resource or the problem list (paths and codes only). */
export function checkResource<K extends CheckedResourceType>(
  item: unknown,
  type: K,
): { ok: true; value: ResourceByType[K] } | { ok: false; problems: Omit<ResourceProblem, 'index'>[] } {
  const parsed = resourceSchemas[type].safeParse(item);
  if (parsed.success) {
    // The schemas only check (no defaults, no transforms), so the resource itself is what passed:
    // hand it on rather than zod's deep copy, which would double what a request keeps alive.
    return { ok: true, value: item as ResourceByType[K] };
  }
  return {
    ok: false,
    problems: parsed.error.issues
      .slice(0, MAX_PROBLEMS_PER_RESOURCE)
      .map((issue) => ({ path: pathOf(issue.path), code: issue.code })),
  };
}

/**
 * Checks a list of resources of one type. Malformed ones are left out and counted; the
 * problems name the index, the field path and the zod issue code. Never throws.
 * `T` may be given explicitly (`checkResources<Observation>(items, 'Observation')`) or inferred
 * from `type`.
 */
export function checkResources<
  T extends ResourceByType[K],
  K extends CheckedResourceType = CheckedResourceType,
>(items: readonly unknown[], type: K): CheckResult<T> {
  const result: CheckResult<T> = { valid: [], invalid: 0, problems: [] };
  items.forEach((item, index) => {
    const checked = checkResource(item, type);
    if (checked.ok) {
      result.valid.push(checked.value as T);
    } else {
      result.invalid += 1;
      for (const p of checked.problems) result.problems.push({ index, ...p });
    }
  });
  return result;
}
