import type { Bundle } from 'fhir/r4.js';
import { z } from 'zod';
import { transactionBundle } from './bundle.js';
import { aishaKhan, AISHA_DESCRIPTION } from './patients/aisha-khan.js';
import { emmaNguyen, EMMA_DESCRIPTION } from './patients/emma-nguyen.js';
import { jamesCarter, JAMES_DESCRIPTION } from './patients/james-carter.js';
import { mariaLopez, MARIA_DESCRIPTION } from './patients/maria-lopez.js';
import { robertOkafor, ROBERT_DESCRIPTION } from './patients/robert-okafor.js';
import type { PatientRecord } from './record.js';
import { DEFAULT_PRACTITIONER_ID, sharedResources } from './shared.js';

export interface SeedPatient {
  id: string;
  description: string;
}

export interface Seed {
  /** Shared resources first (organisation, staff, locations), then one transaction per patient. */
  bundles: Bundle[];
  patients: SeedPatient[];
  /** The clinician who answers as "staff" when none is named. */
  practitionerId: string;
  /** Per patient id, named handles on notable resources, e.g. `hivReport` → `DiagnosticReport/dr-ml-05`. */
  landmarks: Record<string, Record<string, string>>;
}

const PATIENTS: readonly { build: (now: Date) => PatientRecord; description: string }[] = [
  { build: mariaLopez, description: MARIA_DESCRIPTION },
  { build: jamesCarter, description: JAMES_DESCRIPTION },
  { build: aishaKhan, description: AISHA_DESCRIPTION },
  { build: emmaNguyen, description: EMMA_DESCRIPTION },
  { build: robertOkafor, description: ROBERT_DESCRIPTION },
];

const NowSchema = z.date({ error: 'now must be a valid Date' });

/**
 * The sandbox EHR's records, every date placed relative to `now`. Pure and deterministic: the
 * same `now` gives byte-identical JSON.
 */
export function buildSeed(now: Date): Seed {
  const at = NowSchema.parse(now);
  const bundles: Bundle[] = [transactionBundle('seed-shared', sharedResources())];
  const patients: SeedPatient[] = [];
  const landmarks: Record<string, Record<string, string>> = {};
  for (const p of PATIENTS) {
    const rec = p.build(at);
    bundles.push(transactionBundle(`seed-${rec.patientId}`, rec.resources));
    patients.push({ id: rec.patientId, description: p.description });
    landmarks[rec.patientId] = { ...rec.landmarks };
  }
  return { bundles, patients, practitionerId: DEFAULT_PRACTITIONER_ID, landmarks };
}

export { buildPdf } from './pdf.js';
