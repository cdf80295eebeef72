/**
 * Release-policy throughput on a real Synthea R4 record: every DiagnosticReport, Observation
 * and DocumentReference decided for the patient and for a parent proxy, for about 3 s each way
 * (one resource at a time with decide(), and the whole record at once with applyPolicy()).
 * Usage: npx tsx bench/policy.ts [bundle.json]
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Bundle, DiagnosticReport, DocumentReference, Observation, Patient } from 'fhir/r4.js';
import { applyPolicy } from '../src/policy/apply.js';
import { decide } from '../src/policy/decide.js';
import { readRulesFile } from '../src/policy/read-rules-file.js';
import type { PolicyContext, Viewer } from '../src/policy/types.js';
import { FIXTURES, largestBundle } from './fixtures.js';

const path = process.argv[2] ?? largestBundle();
if (!path || !existsSync(path)) {
  console.log(`policy bench skipped: no Synthea bundle (looked in ${FIXTURES}; pass a path to run)`);
  process.exit(0);
}

const bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle;
const all = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
const reports = all.filter((r): r is DiagnosticReport => r.resourceType === 'DiagnosticReport');
const observations = all.filter((r): r is Observation => r.resourceType === 'Observation');
const documents = all.filter((r): r is DocumentReference => r.resourceType === 'DocumentReference');
const patient = all.find((r): r is Patient => r.resourceType === 'Patient');
const resources = [...reports, ...observations, ...documents];
const rules = readRulesFile();

const viewers: Viewer[] = [
  { kind: 'patient', id: patient?.id ?? 'p' },
  { kind: 'proxy', id: 'rp-1', relationship: 'MTH' },
];
const contexts: PolicyContext[] = viewers.map((viewer) => ({
  viewer,
  patient: { id: patient?.id ?? 'p', ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}), ...(patient?.address?.[0]?.state ? { state: patient.address[0].state } : {}) },
  now: new Date('2026-03-02T18:00:00Z'),
  clinicianActions: [],
  preferences: { waitForClinician: true },
}));

function run(label: string, perRound: number, round: () => void): void {
  for (let i = 0; i < 3; i++) round(); // warm up
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 3000) {
    round();
    rounds++;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${Math.round((rounds * perRound) / seconds).toLocaleString('en-US')} decisions/s (${rounds} rounds in ${seconds.toFixed(2)} s)`);
}

console.log(`bundle ${path}`);
console.log(`resources: ${resources.length} (${reports.length} DiagnosticReport, ${observations.length} Observation, ${documents.length} DocumentReference); viewers: patient + proxy; rules: ${rules.rules.length}`);

let sink = 0;
run('decide()', resources.length * contexts.length, () => {
  for (const c of contexts) for (const r of resources) if (decide(r, c, rules).visible) sink++;
});
run('applyPolicy()', resources.length * contexts.length, () => {
  for (const c of contexts) sink += applyPolicy({ reports, observations, documents }, c, rules).pending.length;
});
if (sink < 0) console.log(sink);
