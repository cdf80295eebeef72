import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { createFieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { PolicyState } from '../../../src/policy-state/policy-state.js';
import { openStore } from '../../../src/store/data-source.js';
import { freshDatabase } from '../audit/helpers.js';

/** The policy's local facts for one patient come back in one read, decrypted, oldest action first. */
async function checkForPatient(ds: DataSource): Promise<void> {
  let now = new Date('2026-03-02T10:00:00Z');
  const state = new PolicyState(ds, await createFieldCipher(generateKeySet()), () => now);
  const empty = await state.forPatient('ehr', 'p-1');
  assert.deepEqual(empty, { clinicianActions: [], preferences: {} });

  await ds.transaction((m) => state.recordClinicianAction(m, { ehrId: 'ehr', patientId: 'p-1', resourceRef: 'DiagnosticReport/r2', action: 'hold', by: 'Practitioner/dr-b', reason: 'discuss at visit' }));
  now = new Date('2026-03-01T09:00:00Z'); // recorded later, but happened earlier
  await ds.transaction((m) => state.recordClinicianAction(m, { ehrId: 'ehr', patientId: 'p-1', resourceRef: 'DiagnosticReport/r1', action: 'release', by: 'Practitioner/dr-a', reason: 'reviewed' }));
  await ds.transaction((m) => state.recordClinicianAction(m, { ehrId: 'ehr', patientId: 'p-2', resourceRef: 'DiagnosticReport/x', action: 'hold', by: 'Practitioner/dr-a', reason: 'other patient' }));
  await state.savePreferences('ehr', 'p-1', { waitForClinician: true });
  await state.savePreferences('other-ehr', 'p-1', { geneticEarlyRelease: true });

  // Twice: the second run reuses the statement already prepared on the connection.
  for (let i = 0; i < 2; i++) {
    const got = await state.forPatient('ehr', 'p-1');
    assert.deepEqual(got.preferences, { waitForClinician: true });
    assert.deepEqual(
      got.clinicianActions.map((a) => [a.resourceRef, a.action, a.by, a.reason, a.at.toISOString()]),
      [
        ['DiagnosticReport/r1', 'release', 'Practitioner/dr-a', 'reviewed', '2026-03-01T09:00:00.000Z'],
        ['DiagnosticReport/r2', 'hold', 'Practitioner/dr-b', 'discuss at visit', '2026-03-02T10:00:00.000Z'],
      ],
    );
  }
  assert.deepEqual((await state.forPatient('ehr', 'p-2')).preferences, {});
  assert.equal((await state.forPatient('ehr', 'p-2')).clinicianActions.length, 1);
  // Nothing readable at rest.
  const raw = JSON.stringify(await ds.query('SELECT reason FROM clinician_action UNION ALL SELECT prefs FROM patient_preference'));
  assert.doesNotMatch(raw, /reviewed|discuss|waitForClinician/);
}

describe('policy state', function () {
  this.timeout(60_000);

  it('on PostgreSQL: actions and preferences for a patient in one read', async () => {
    const db = await freshDatabase('policy_state');
    try {
      const ds = await db.open();
      await checkForPatient(ds);
      // One at a time, the pool hands back the connection just used: the read went as a named statement.
      const names = (await ds.query('SELECT name FROM pg_prepared_statements')) as { name: string }[];
      assert.ok(names.some((n) => n.name === 'policy_state_for_patient'), JSON.stringify(names));
    } finally {
      await db.drop();
    }
  });

  it('on embedded PGlite: the same', async () => {
    const ds = await openStore({ kind: 'embedded', dataDir: 'memory://' });
    try {
      await checkForPatient(ds);
    } finally {
      await ds.destroy();
    }
  });
});
