import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide } from '../../../src/policy/decide.js';
import { loadRules, mergeRuleOverride, RuleLoadError } from '../../../src/policy/load-rules.js';
import { readRulesFile } from '../../../src/policy/read-rules-file.js';
import * as f from './fixtures.js';

const base = () => ({
  version: 1,
  calendar: { timeZone: 'America/Chicago', holidays: [] as string[] },
  codeSets: { 'tumour-markers': { loinc: ['2857-1'] } } as Record<string, unknown>,
  rules: [{ id: 'default-release', when: {}, then: { action: 'release' } }] as unknown[],
});

function refused(json: unknown, expected: { ruleId?: string; path?: string; message: RegExp }, source = 'clinic-rules.json') {
  assert.throws(
    () => loadRules(json, source),
    (e: unknown) => {
      assert.ok(e instanceof RuleLoadError, String(e));
      assert.ok(e.message.startsWith(`${source}: `), e.message);
      if (expected.ruleId) {
        assert.equal(e.ruleId, expected.ruleId);
        assert.ok(e.message.includes(`rule "${expected.ruleId}"`), e.message);
      }
      if (expected.path) assert.equal(e.path, expected.path);
      assert.match(e.message, expected.message);
      return true;
    },
  );
}

describe('policy loader: guardrails', () => {
  it('loads the default pack (with its HIV ValueSet file)', () => {
    assert.equal(f.rules.source, 'release-rules.json');
    assert.equal(f.rules.rules.at(-1)!.id, 'default-release');
  });

  it('refuses a hold without a basis, naming the rule', () => {
    const j = base();
    j.rules.unshift({ id: 'psa-hold', when: { code: ['2857-1'] }, then: { action: 'hold_until_released' } });
    refused(j, { ruleId: 'psa-hold', path: 'rules[0].then.basis', message: /needs a legal basis/ });
  });

  it('refuses a blanket delay of a whole category without a basis as information blocking', () => {
    const j = base();
    j.rules.unshift({ id: 'lab-review-first', when: { category: ['LAB'] }, then: { action: 'delay', after: { hours: 24 } } });
    refused(j, { ruleId: 'lab-review-first', message: /whole category .* information blocking/ });
    const all = base();
    all.rules.unshift({ id: 'review-everything', when: {}, then: { action: 'hold_until_released' } });
    refused(all, { ruleId: 'review-everything', message: /whole category \(or of every result\)/ });
  });

  it('refuses "preventing harm" on a whole category (no individual determination)', () => {
    const j = base();
    j.rules.unshift({ id: 'rad-harm', when: { category: ['RAD'] }, then: { action: 'hold_until_released', basis: 'PREVENTING_HARM_INDIVIDUAL' } });
    refused(j, { ruleId: 'rad-harm', message: /individual determination/ });
  });

  it('refuses a patient-request basis that does not depend on the patient\'s preference', () => {
    const j = base();
    j.rules.unshift({ id: 'ge-wait', when: { category: ['GE'] }, then: { action: 'delay', after: { businessDays: 5 }, basis: 'PRIVACY_PATIENT_REQUEST' } });
    refused(j, { ruleId: 'ge-wait', path: 'rules[0].when.preference', message: /patient's own preference/ });
  });

  it('refuses withhold unless it follows a clinician hold', () => {
    const j = base();
    j.rules.unshift({ id: 'nope', when: { label: ['PSY'] }, then: { action: 'withhold', basis: 'PREVENTING_HARM_INDIVIDUAL' } });
    refused(j, { ruleId: 'nope', message: /clinician's individual determination/ });
  });

  it('refuses hiding a minor\'s care from proxies without a minor age band', () => {
    const j = base();
    j.rules.unshift({ id: 'hide', when: { label: ['SEX'] }, then: { action: 'hide_from_proxy', basis: 'MINOR_CONFIDENTIAL' } });
    refused(j, { ruleId: 'hide', path: 'rules[0].when.patientAge', message: /minors only/ });
  });

  it('refuses a delay without its length', () => {
    const j = base();
    j.rules.unshift({ id: 'psa-delay', when: { codeSet: ['tumour-markers'] }, then: { action: 'delay', basis: 'PRIVACY_STATE_LAW' } });
    refused(j, { ruleId: 'psa-delay', path: 'rules[0].then.after', message: /delay needs "after"/ });
  });

  it('refuses unknown keys, naming the JSON path', () => {
    const j = base();
    j.rules.unshift({ id: 'typo', when: { lables: ['HIV'] }, then: { action: 'hold_until_released', basis: 'PRIVACY_STATE_LAW' } });
    refused(j, { ruleId: 'typo', path: 'rules[0].when', message: /lables/ });
    refused({ ...base(), extra: true }, { path: '(root)', message: /extra/ });
  });

  it('refuses a mistyped LOINC code (check digit) and an unknown label', () => {
    const j = base();
    j.rules.unshift({ id: 'bad-code', when: { code: ['75622-2'] }, then: { action: 'hold_until_released', basis: 'PRIVACY_STATE_LAW' } });
    refused(j, { ruleId: 'bad-code', path: 'rules[0].when.code[0]', message: /check digit/ });
    const k = base();
    k.rules.unshift({ id: 'bad-label', when: { label: ['hiv'] }, then: { action: 'hold_until_released', basis: 'PRIVACY_STATE_LAW' } });
    refused(k, { ruleId: 'bad-label', path: 'rules[0].when.label[0]', message: /Invalid option/ });
  });

  it('refuses an unknown code set, a duplicate id, an engine id and a bad time zone', () => {
    const j = base();
    j.rules.unshift({ id: 'x', when: { codeSet: ['hiv'] }, then: { action: 'hold_until_released', basis: 'PRIVACY_STATE_LAW' } });
    refused(j, { ruleId: 'x', message: /unknown code set "hiv"/ });
    const d = base();
    d.rules.push({ id: 'default-release', when: {}, then: { action: 'release' } });
    refused(d, { ruleId: 'default-release', message: /duplicate rule id/ });
    const e = base();
    e.rules.unshift({ id: 'fail-closed', when: {}, then: { action: 'release' } });
    refused(e, { ruleId: 'fail-closed', message: /reserved/ });
    const t = base();
    t.calendar.timeZone = 'Mars/Olympus';
    refused(t, { path: 'calendar.timeZone', message: /unknown time zone/ });
  });

  it('requires {date} in a custom explanation of a dated action', () => {
    const j = base();
    j.rules.unshift({
      id: 'psa-delay',
      when: { code: ['2857-1'] },
      then: { action: 'delay', after: { hours: 48 }, basis: 'PRIVACY_STATE_LAW', explanation: { en: 'Soon.', es: 'Pronto.' } },
    });
    refused(j, { ruleId: 'psa-delay', message: /include \{date\}/ });
  });
});

describe('policy loader: files and ValueSets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-rules-'));
  mkdirSync(join(dir, 'valuesets'));

  it('names the file and the ValueSet path that cannot be read', () => {
    const j = base();
    j.codeSets['hiv-tests'] = { valueSet: 'valuesets/missing.json' };
    writeFileSync(join(dir, 'missing-vs.json'), JSON.stringify(j));
    assert.throws(() => readRulesFile(join(dir, 'missing-vs.json')), (e: unknown) => {
      assert.ok(e instanceof RuleLoadError);
      assert.match(e.message, /^missing-vs\.json: at codeSets\.hiv-tests\.valueSet: cannot read ValueSet "valuesets\/missing\.json"/);
      return true;
    });
  });

  it('refuses a ValueSet path that climbs out of the config folder', () => {
    const j = base();
    j.codeSets['x'] = { valueSet: '../../etc/passwd.json' };
    refused(j, { path: 'codeSets.x.valueSet', message: /without "\.\."/ });
  });

  it('refuses a ValueSet defined by a filter (cannot be enumerated offline)', () => {
    writeFileSync(join(dir, 'valuesets', 'filtered.json'), JSON.stringify({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', filter: [{ property: 'COMPONENT', op: '=', value: 'HIV' }] }] } }));
    const j = base();
    j.codeSets['hiv-tests'] = { valueSet: 'valuesets/filtered.json' };
    writeFileSync(join(dir, 'filtered-rules.json'), JSON.stringify(j));
    assert.throws(() => readRulesFile(join(dir, 'filtered-rules.json')), /filtered-rules\.json: at codeSets\.hiv-tests\.valueSet: ValueSet "valuesets\/filtered\.json" at compose\.include\[0\]/);
  });

  it('names the file that is not valid JSON', () => {
    writeFileSync(join(dir, 'broken.json'), '{ "version": 1,');
    assert.throws(() => readRulesFile(join(dir, 'broken.json')), /^RuleLoadError: broken\.json: not valid JSON/);
    assert.throws(() => readRulesFile(join(dir, 'absent.json')), /absent\.json: cannot read file \(ENOENT\)/);
  });

  it('uses codes from a ValueSet file', () => {
    writeFileSync(join(dir, 'valuesets', 'hcv.json'), JSON.stringify({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '2857-1' }] }] } }));
    const j = base();
    j.codeSets['hcv'] = { valueSet: 'valuesets/hcv.json' };
    j.rules.unshift({ id: 'hcv-hold', when: { codeSet: ['hcv'] }, then: { action: 'hold_until_released', basis: 'PRIVACY_STATE_LAW' } });
    writeFileSync(join(dir, 'vs-rules.json'), JSON.stringify(j));
    const set = readRulesFile(join(dir, 'vs-rules.json'));
    assert.equal(decide(f.psa, f.ctx(), set).ruleId, 'hcv-hold');
  });
});

describe('policy loader: per-EHR override', () => {
  it('replaces a rule by id and adds new rules, then applies every guardrail', () => {
    const override = {
      holidays: ['2026-03-02'],
      rules: [
        { id: 'pathology-delay', when: { category: ['PAT'] }, then: { action: 'delay', after: { hours: 24 }, basis: 'PRIVACY_STATE_LAW' } },
        { id: 'ca-imaging', when: { category: ['RAD'], jurisdiction: ['CA'] }, then: { action: 'delay', after: { businessDays: 2 }, basis: 'PRIVACY_STATE_LAW' } },
      ],
    };
    const merged = mergeRuleOverride(f.rules.file, override, { base: 'release-rules.json', override: 'epic.json' });
    assert.equal(merged.rules.findIndex((r) => r.id === 'pathology-delay'), f.rules.file.rules.findIndex((r) => r.id === 'pathology-delay'));
    assert.equal(merged.rules.length, f.rules.file.rules.length + 1);
    assert.ok(merged.calendar.holidays.includes('2026-03-02'));
    const set = loadRules(merged, 'epic.json over release-rules.json', { readValueSet: () => ({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '75622-1' }] }] } }) });
    // PSA (tumour marker) is no longer covered: only category PAT in the replaced rule.
    assert.equal(decide(f.psa, f.ctx(), set).ruleId, 'default-release');
    assert.equal(decide(f.pathology, f.ctx({ now: new Date('2026-02-28T17:00:00Z') }), set).ruleId, 'pathology-delay');
    const ct = { ...f.pathology, id: 'ct', category: [{ coding: [{ code: 'RAD' }] }] };
    assert.equal(decide(ct, f.ctx(), set).ruleId, 'ca-imaging');
    assert.equal(decide(ct, f.ctx({ patient: { id: 'pat-1', state: 'TX' } }), set).ruleId, 'default-release');
  });

  it('refuses an override rule that lacks a basis, naming the override', () => {
    const override = { rules: [{ id: 'hiv-sud-hold', when: { label: ['HIV'] }, then: { action: 'hold_until_released' } }] };
    const merged = mergeRuleOverride(f.rules.file, override, { base: 'release-rules.json', override: 'epic.json' });
    assert.throws(
      () => loadRules(merged, 'epic.json over release-rules.json', { readValueSet: () => ({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '75622-1' }] }] } }) }),
      /^RuleLoadError: epic\.json over release-rules\.json: rule "hiv-sud-hold" at rules\[0\]\.then\.basis: hold_until_released needs a legal basis/,
    );
    assert.throws(() => mergeRuleOverride(f.rules.file, { rulez: [] }, { base: 'release-rules.json', override: 'epic.json' }), /^RuleLoadError: epic\.json: at \(root\): .*rulez/);
  });
});
