import { createHash } from 'node:crypto';
import type { Attachment, Binary, CodeableConcept, Coding, DocumentReference, Reference, Resource } from 'fhir/r4.js';
import { instant } from './clock.js';
import { SYSTEMS } from './codes.js';
import { buildPdf } from './pdf.js';
import { ref, securityMeta, type PatientRecord } from './record.js';

export interface FileSpec {
  title: string;
  created: Date;
  security?: readonly Coding[];
  landmark?: string;
}

export interface StoredFile {
  binary: Binary;
  attachment: Attachment;
}

function store(rec: PatientRecord, spec: FileSpec, contentType: string, bytes: Buffer): StoredFile {
  const binary: Binary = {
    resourceType: 'Binary',
    id: rec.nextId('bin'),
    ...securityMeta(spec.security),
    contentType,
    data: bytes.toString('base64'),
  };
  rec.add(binary, spec.landmark);
  const attachment: Attachment = {
    contentType,
    url: `Binary/${binary.id}`,
    size: bytes.length,
    // Attachment.hash is the base64 SHA-1 of the data (FHIR R4 datatypes).
    hash: createHash('sha1').update(bytes).digest('base64'),
    title: spec.title,
    creation: instant(spec.created),
  };
  return { binary, attachment };
}

export function pdfFile(rec: PatientRecord, spec: FileSpec & { heading: string; lines: readonly string[] }): StoredFile {
  return store(rec, spec, 'application/pdf', buildPdf(spec.heading, spec.lines));
}

export function textFile(rec: PatientRecord, spec: FileSpec & { lines: readonly string[] }): StoredFile {
  return store(rec, spec, 'text/plain', Buffer.from(`${spec.lines.join('\n')}\n`, 'utf8'));
}

/** Binary.securityContext: whoever may read `owner` may read the file, and no one else. */
export function guard(file: StoredFile, owner: Resource): void {
  file.binary.securityContext = ref(owner);
}

export interface DocumentSpec {
  type: CodeableConcept;
  file: StoredFile;
  date: Date;
  author: Reference;
  description: string;
  security?: readonly Coding[];
  /** The DiagnosticReport (or other record) this document carries. */
  related?: Reference[];
  period?: { start: Date; end?: Date };
  landmark?: string;
}

export function documentReference(rec: PatientRecord, spec: DocumentSpec): DocumentReference {
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    id: rec.nextId('doc'),
    ...securityMeta(spec.security),
    status: 'current',
    docStatus: 'final',
    type: spec.type,
    category: [{ coding: [{ system: SYSTEMS.docCategory, code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: rec.patient,
    date: instant(spec.date),
    author: [spec.author],
    custodian: { reference: 'Organization/org-riverside' },
    description: spec.description,
    ...(spec.security?.length ? { securityLabel: spec.security.map((c) => ({ coding: [c] })) } : {}),
    content: [{ attachment: spec.file.attachment }],
    ...(spec.related || spec.period
      ? {
          context: {
            ...(spec.period
              ? { period: { start: instant(spec.period.start), ...(spec.period.end ? { end: instant(spec.period.end) } : {}) } }
              : {}),
            ...(spec.related ? { related: spec.related } : {}),
          },
        }
      : {}),
  };
  rec.add(doc, spec.landmark);
  if (!spec.file.binary.securityContext) guard(spec.file, doc);
  return doc;
}
