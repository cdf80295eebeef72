/**
 * Truth table for the default pack (the example rules of RELEASE-POLICY.md): one row per
 * rule × viewer × clock × clinician action. Read a row as: for this result, this viewer, at
 * this time, after this clinician action → what the viewer gets, and which rule decided.
 */
import assert from 'node:assert/strict';
import { decide } from '../../../src/policy/decide.js';
import type { Action, ClinicianAction, Decision, PatientPreferences, Presence } from '../../../src/policy/types.js';
import * as f from './fixtures.js';

interface Case {
  resource: { resourceType: string; id?: string };
  birthDate?: string;
  preferences?: PatientPreferences;
}

const CASES = {
  'lipid panel': { resource: f.lipidPanel },
  'HIV test (LOINC)': { resource: f.hivScreen },
  'opiate screen (label SUD)': { resource: f.opiateScreen },
  'PSA (tumour marker)': { resource: f.psa },
  'pathology report (PAT)': { resource: f.pathology },
  'genetic panel (GE)': { resource: f.geneticPanel },
  'genetic panel, opted in': { resource: f.geneticPanel, preferences: { geneticEarlyRelease: true } },
  'chlamydia (STD), teen': { resource: f.chlamydia, birthDate: f.TEEN_BIRTH },
  'gonorrhoea (STI LOINC), teen': { resource: f.gonorrhoea, birthDate: f.TEEN_BIRTH },
  'pregnancy test, teen': { resource: f.pregnancy, birthDate: f.TEEN_BIRTH },
  'chlamydia (STD), adult': { resource: f.chlamydia },
  'haemoglobin (label NOPAT)': { resource: f.nopat },
  'glucose (confidentiality V)': { resource: f.veryRestricted },
  'CBC (preliminary)': { resource: f.preliminaryCbc },
  'high glucose, waits for clinician': { resource: f.highGlucose, preferences: { waitForClinician: true } },
  'lipid panel, waits for clinician': { resource: f.lipidPanel, preferences: { waitForClinician: true } },
  'PSA, teen, waits for clinician': { resource: f.psa, birthDate: f.TEEN_BIRTH, preferences: { waitForClinician: true } },
} satisfies Record<string, Case>;

type Time = 'before' | 'after' | 'late';
type Clin = '-' | 'released' | 'held' | 'held, then released' | 'released, then held';
type Row = [keyof typeof CASES, 'patient' | 'proxy', Time, Clin, Presence, Action, string];

// prettier-ignore
const ROWS: Row[] = [
  // result                               viewer     time      clinician               → presence   action                 rule
  ['lipid panel',                         'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['lipid panel',                         'proxy',   'before', '-',                      'shown',   'release',             'default-release'],
  ['lipid panel',                         'patient', 'before', 'held',                   'pending', 'withhold',            'clinician-hold'],
  ['lipid panel',                         'proxy',   'before', 'held',                   'pending', 'withhold',            'clinician-hold'],
  // A release that lifts nothing leaves the deciding rule as it was.
  ['lipid panel',                         'patient', 'after',  'held, then released',    'shown',   'release',             'default-release'],
  ['lipid panel',                         'patient', 'after',  'released, then held',    'pending', 'withhold',            'clinician-hold'],

  ['HIV test (LOINC)',                    'patient', 'before', '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['HIV test (LOINC)',                    'proxy',   'before', '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['HIV test (LOINC)',                    'patient', 'late',   '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['HIV test (LOINC)',                    'proxy',   'late',   '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['HIV test (LOINC)',                    'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['HIV test (LOINC)',                    'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],
  ['HIV test (LOINC)',                    'patient', 'after',  'released, then held',    'pending', 'withhold',            'clinician-hold'],

  ['opiate screen (label SUD)',           'patient', 'before', '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['opiate screen (label SUD)',           'proxy',   'after',  '-',                      'pending', 'hold_until_released', 'hiv-sud-hold'],
  ['opiate screen (label SUD)',           'patient', 'after',  'released',               'shown',   'release',             'clinician-release'],
  ['opiate screen (label SUD)',           'proxy',   'after',  'released',               'shown',   'release',             'clinician-release'],

  ['PSA (tumour marker)',                 'patient', 'before', '-',                      'pending', 'delay',               'pathology-delay'],
  ['PSA (tumour marker)',                 'proxy',   'before', '-',                      'pending', 'delay',               'pathology-delay'],
  ['PSA (tumour marker)',                 'patient', 'after',  '-',                      'shown',   'release',             'default-release'],
  ['PSA (tumour marker)',                 'proxy',   'after',  '-',                      'shown',   'release',             'default-release'],
  ['PSA (tumour marker)',                 'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['PSA (tumour marker)',                 'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],
  ['PSA (tumour marker)',                 'patient', 'after',  'held',                   'pending', 'withhold',            'clinician-hold'],

  ['pathology report (PAT)',              'patient', 'before', '-',                      'pending', 'delay',               'pathology-delay'],
  ['pathology report (PAT)',              'proxy',   'before', '-',                      'pending', 'delay',               'pathology-delay'],
  ['pathology report (PAT)',              'patient', 'after',  '-',                      'shown',   'release',             'default-release'],
  ['pathology report (PAT)',              'proxy',   'after',  '-',                      'shown',   'release',             'default-release'],
  ['pathology report (PAT)',              'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['pathology report (PAT)',              'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],

  ['genetic panel (GE)',                  'patient', 'before', '-',                      'pending', 'delay',               'genetic-wait'],
  ['genetic panel (GE)',                  'proxy',   'before', '-',                      'pending', 'delay',               'genetic-wait'],
  ['genetic panel (GE)',                  'patient', 'after',  '-',                      'shown',   'release_with_note',   'genetic-note'],
  ['genetic panel (GE)',                  'proxy',   'after',  '-',                      'shown',   'release_with_note',   'genetic-note'],
  ['genetic panel (GE)',                  'patient', 'before', 'released',               'shown',   'release_with_note',   'genetic-note'],
  ['genetic panel (GE)',                  'proxy',   'before', 'released',               'shown',   'release_with_note',   'genetic-note'],
  ['genetic panel, opted in',             'patient', 'before', '-',                      'shown',   'release_with_note',   'genetic-note'],
  ['genetic panel, opted in',             'proxy',   'before', '-',                      'shown',   'release_with_note',   'genetic-note'],

  ['chlamydia (STD), teen',               'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['chlamydia (STD), teen',               'proxy',   'before', '-',                      'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['chlamydia (STD), teen',               'patient', 'after',  '-',                      'shown',   'release',             'default-release'],
  ['chlamydia (STD), teen',               'proxy',   'after',  '-',                      'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['chlamydia (STD), teen',               'patient', 'before', 'released',               'shown',   'release',             'default-release'],
  ['chlamydia (STD), teen',               'proxy',   'before', 'released',               'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['chlamydia (STD), teen',               'proxy',   'before', 'held',                   'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['gonorrhoea (STI LOINC), teen',        'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['gonorrhoea (STI LOINC), teen',        'proxy',   'late',   'released',               'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['pregnancy test, teen',                'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['pregnancy test, teen',                'proxy',   'before', '-',                      'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['pregnancy test, teen',                'proxy',   'after',  'released',               'absent',  'hide_from_proxy',     'minor-confidential-proxy'],
  ['chlamydia (STD), adult',              'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['chlamydia (STD), adult',              'proxy',   'before', '-',                      'shown',   'release',             'default-release'],

  ['haemoglobin (label NOPAT)',           'patient', 'before', '-',                      'pending', 'hold_until_released', 'harm-label-hold'],
  ['haemoglobin (label NOPAT)',           'proxy',   'before', '-',                      'pending', 'hold_until_released', 'harm-label-hold'],
  ['haemoglobin (label NOPAT)',           'patient', 'late',   '-',                      'pending', 'hold_until_released', 'harm-label-hold'],
  ['haemoglobin (label NOPAT)',           'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['haemoglobin (label NOPAT)',           'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],
  ['glucose (confidentiality V)',         'patient', 'after',  '-',                      'pending', 'hold_until_released', 'harm-label-hold'],
  ['glucose (confidentiality V)',         'proxy',   'after',  '-',                      'pending', 'hold_until_released', 'harm-label-hold'],
  ['glucose (confidentiality V)',         'patient', 'after',  'released',               'shown',   'release',             'clinician-release'],

  ['CBC (preliminary)',                   'patient', 'before', '-',                      'pending', 'mask',                'preliminary-mask'],
  ['CBC (preliminary)',                   'proxy',   'before', '-',                      'pending', 'mask',                'preliminary-mask'],
  ['CBC (preliminary)',                   'patient', 'late',   '-',                      'pending', 'mask',                'preliminary-mask'],
  ['CBC (preliminary)',                   'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['CBC (preliminary)',                   'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],

  ['high glucose, waits for clinician',   'patient', 'before', '-',                      'pending', 'hold_until_released', 'patient-wait-for-clinician'],
  ['high glucose, waits for clinician',   'proxy',   'before', '-',                      'pending', 'hold_until_released', 'patient-wait-for-clinician'],
  ['high glucose, waits for clinician',   'patient', 'after',  '-',                      'pending', 'hold_until_released', 'patient-wait-for-clinician'],
  ['high glucose, waits for clinician',   'patient', 'late',   '-',                      'shown',   'release',             'default-release'],
  ['high glucose, waits for clinician',   'proxy',   'late',   '-',                      'shown',   'release',             'default-release'],
  ['high glucose, waits for clinician',   'patient', 'before', 'released',               'shown',   'release',             'clinician-release'],
  ['high glucose, waits for clinician',   'proxy',   'before', 'released',               'shown',   'release',             'clinician-release'],
  ['lipid panel, waits for clinician',    'patient', 'before', '-',                      'shown',   'release',             'default-release'],
  ['lipid panel, waits for clinician',    'proxy',   'before', '-',                      'shown',   'release',             'default-release'],
  // The patient's own hold (10 business days) outlasts the 3-day pathology delay and wins.
  ['PSA, teen, waits for clinician',      'patient', 'after',  '-',                      'pending', 'hold_until_released', 'patient-wait-for-clinician'],
  ['PSA, teen, waits for clinician',      'proxy',   'before', '-',                      'pending', 'hold_until_released', 'patient-wait-for-clinician'],
  ['PSA, teen, waits for clinician',      'patient', 'late',   '-',                      'shown',   'release',             'default-release'],
];

const CLOCK: Record<Time, Date> = { before: f.BEFORE, after: f.AFTER, late: f.LATE };

function clinicianActions(ref: string, c: Clin): ClinicianAction[] {
  const later = new Date(f.CLINICIAN_AT.getTime() + 3_600_000);
  switch (c) {
    case '-': return [];
    case 'released': return [f.release(ref)];
    case 'held': return [f.hold(ref)];
    case 'held, then released': return [f.release(ref, later), f.hold(ref)];
    case 'released, then held': return [f.hold(ref, later), f.release(ref)];
  }
}

describe('policy truth table: default pack', () => {
  for (const [name, viewer, time, clin, presence, action, ruleId] of ROWS) {
    it(`${name} | ${viewer} | ${time} | clinician ${clin} → ${presence} ${action} (${ruleId})`, () => {
      const c: Case = CASES[name];
      const ref = `${c.resource.resourceType}/${c.resource.id}`;
      const d: Decision = decide(
        c.resource,
        f.ctx({
          viewer: viewer === 'patient' ? f.patientViewer : f.parentProxy,
          now: CLOCK[time],
          clinicianActions: clinicianActions(ref, clin),
          preferences: c.preferences ?? {},
          ...(c.birthDate ? { birthDate: c.birthDate } : {}),
        }),
        f.rules,
      );
      assert.deepEqual([d.presence, d.action, d.ruleId], [presence, action, ruleId]);
      assert.equal(d.visible, presence === 'shown');
      if (action !== 'release') assert.ok(d.basis, 'every non-release decision names its basis');
    });
  }

  it('covers every rule of the default pack', () => {
    const decided = new Set(ROWS.map((r) => r[6]));
    for (const rule of f.rules.rules) assert.ok(decided.has(rule.id), `no row for ${rule.id}`);
  });
});
