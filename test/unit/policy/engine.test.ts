import assert from 'node:assert/strict';
import { createCalendar } from '../../../src/policy/calendar.js';
import { ageRange, decide } from '../../../src/policy/decide.js';
import { loadRules } from '../../../src/policy/load-rules.js';
import * as f from './fixtures.js';

const proxy = { viewer: f.parentProxy };

describe('policy engine: explanations', () => {
  it('names the release date in plain English, never the test', () => {
    const d = decide(f.psa, f.ctx(), f.rules);
    assert.equal(d.releaseAt?.toISOString(), '2026-03-04T18:00:00.000Z');
    assert.equal(
      d.explanation,
      'Your care team has time to review this result with you first. It will be available by 4 March 2026, or sooner if your clinician releases it.',
    );
  });

  it('speaks Spanish when asked', () => {
    const d = decide(f.psa, f.ctx({ locale: 'es' }), f.rules);
    assert.match(d.explanation, /Estará disponible a más tardar el 4 de marzo de 2026/);
  });

  it('says a hold ends with the clinician, and its latest date when it has a maximum', () => {
    assert.match(decide(f.hivScreen, f.ctx(), f.rules).explanation, /available once your clinician releases it\.$/);
    const d = decide(f.highGlucose, f.ctx({ preferences: { waitForClinician: true } }), f.rules);
    assert.equal(d.releaseAt?.toISOString(), '2026-03-13T18:00:00.000Z');
    assert.match(d.explanation, /^You asked to see results like this after your clinician has talked with you\./);
    assert.match(d.explanation, /by 13 March 2026 at the latest\.$/);
  });

  it('never names the test, its value or its code in any explanation', () => {
    const all = [f.lipidPanel, f.hivScreen, f.opiateScreen, f.psa, f.pathology, f.geneticPanel, f.chlamydia, f.pregnancy, f.nopat, f.preliminaryCbc, f.highGlucose];
    for (const r of all) {
      for (const locale of ['en', 'es'] as const) {
        for (const c of [f.ctx({ locale }), f.ctx({ locale, ...proxy, birthDate: f.TEEN_BIRTH, preferences: { waitForClinician: true } })]) {
          const d = decide(r, c, f.rules);
          const words = `${d.explanation} ${d.note ?? ''}`.toLowerCase();
          for (const coding of r.code.coding ?? []) {
            assert.ok(!words.includes(coding.code!.toLowerCase()), `${r.id}: code in explanation`);
            for (const w of (coding.display ?? '').toLowerCase().split(/[^a-z0-9]+/).filter((x) => x.length > 4)) {
              assert.ok(!words.includes(w), `${r.id}: "${w}" in "${words}"`);
            }
          }
        }
      }
    }
  });

  it('shows the genetic note with the released result', () => {
    const d = decide(f.geneticPanel, f.ctx({ preferences: { geneticEarlyRelease: true } }), f.rules);
    assert.equal(d.visible, true);
    assert.match(d.note ?? '', /may not have reviewed this result yet/);
    assert.ok(d.explanation.endsWith(d.note!));
  });

  it('calls a document a document', () => {
    const doc = f.documentFor(f.lipidPanel, 'doc-x');
    assert.equal(decide(doc, f.ctx(), f.rules).explanation, 'This document is available.');
  });
});

describe('policy engine: business days and ages', () => {
  const cal = createCalendar({ timeZone: 'America/Los_Angeles', holidays: ['2026-05-25'] });

  it('skips weekends and the file\'s holidays', () => {
    // Friday 22 May 2026 10:00 PDT; Monday 25 May is Memorial Day.
    const fri = new Date('2026-05-22T17:00:00Z');
    assert.equal(cal.addBusinessDays(fri, 1).toISOString(), '2026-05-26T17:00:00.000Z');
    assert.equal(cal.addBusinessDays(fri, 3).toISOString(), '2026-05-28T17:00:00.000Z');
  });

  it('counts days on the clinic\'s calendar, not UTC', () => {
    // 23:30 Friday in Los Angeles is already Saturday in UTC: still a Friday issue locally.
    const lateFriday = new Date('2026-02-28T07:30:00Z');
    assert.equal(cal.isBusinessDay(lateFriday), true);
    assert.equal(cal.addBusinessDays(lateFriday, 1).toISOString(), '2026-03-03T07:30:00.000Z');
  });

  it('agrees with Intl on local dates across DST changes and half-hour zones', () => {
    for (const timeZone of ['America/Los_Angeles', 'Australia/Adelaide', 'Asia/Kolkata', 'America/St_Johns']) {
      const zoned = createCalendar({ timeZone, holidays: [] });
      const intl = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 37 * 60_000 * 29) {
        const at = new Date(t);
        assert.equal(zoned.localDate(at).map((n) => String(n).padStart(2, '0')).join('-'), intl.format(at), `${timeZone} ${at.toISOString()}`);
      }
    }
  });

  it('delays from the default pack honour its holiday list', () => {
    // Issued Friday 15 January 2026; Monday 19 January (MLK Day) is in the default list.
    const psa = { ...f.psa, issued: '2026-01-16T01:00:00Z' };
    const d = decide(psa, f.ctx({ now: new Date('2026-01-20T12:00:00Z') }), f.rules);
    assert.equal(d.releaseAt?.toISOString(), '2026-01-22T01:00:00.000Z');
  });

  it('computes ages at `now`, with a range for a partial birth date', () => {
    const now = new Date('2026-03-02T18:00:00Z');
    assert.deepEqual(ageRange('2014-03-02', now, cal), [12, 12]);
    assert.deepEqual(ageRange('2014-03-03', now, cal), [11, 11]);
    assert.deepEqual(ageRange('2014-03', now, cal), [11, 12]);
    assert.deepEqual(ageRange('2014', now, cal), [11, 12]);
    assert.equal(ageRange('not-a-date', now, cal), null);
    assert.equal(ageRange(undefined, now, cal), null);
  });

  it('a proxy of a child turning 12 loses access on the birthday', () => {
    const c = (now: Date) => f.ctx({ ...proxy, birthDate: '2014-03-03', now });
    assert.equal(decide(f.chlamydia, c(new Date('2026-03-02T18:00:00Z')), f.rules).presence, 'shown');
    assert.equal(decide(f.chlamydia, c(new Date('2026-03-03T18:00:00Z')), f.rules).presence, 'absent');
    assert.equal(decide(f.chlamydia, c(new Date('2032-03-03T18:00:00Z')), f.rules).presence, 'shown');
  });
});

describe('policy engine: missing facts make decisions stricter', () => {
  it('hides confidential care from a proxy when the patient\'s age is unknown or ambiguous', () => {
    for (const birthDate of ['', '2013', 'garbage']) {
      const c = f.ctx({ ...proxy, birthDate });
      if (birthDate === '') c.patient = { id: 'pat-1' };
      assert.equal(decide(f.chlamydia, c, f.rules).presence, 'absent', `birthDate "${birthDate}"`);
    }
  });

  it('holds a result whose issued time a delay needs but cannot read', () => {
    for (const issued of [undefined, 'yesterday', '2026-02-30', 20260227]) {
      const psa: Record<string, unknown> = { ...f.psa, issued };
      if (issued === undefined) delete psa['issued'];
      const d = decide(psa, f.ctx({ now: f.LATE }), f.rules);
      assert.deepEqual([d.presence, d.ruleId], ['pending', 'fail-closed'], `issued ${String(issued)}`);
    }
  });

  it('releases an ordinary result without issued (no time rule needs it)', () => {
    const { issued: _drop, ...lipid } = f.lipidPanel;
    assert.equal(decide(lipid, f.ctx(), f.rules).visible, true);
  });

  it('ignores a clinician release older than the result (it released an earlier version)', () => {
    const amended = { ...f.hivScreen, status: 'amended' as const, issued: '2026-03-01T12:00:00Z' };
    const d = decide(amended, f.ctx({ clinicianActions: [f.release('Observation/hiv')] }), f.rules);
    assert.deepEqual([d.presence, d.ruleId], ['pending', 'hiv-sud-hold']);
  });

  it('ignores clinician actions dated in the future or for another resource', () => {
    const future = f.release('Observation/hiv', new Date('2026-03-05T00:00:00Z'));
    const other = f.release('Observation/hiv-2');
    assert.equal(decide(f.hivScreen, f.ctx({ clinicianActions: [future, other] }), f.rules).visible, false);
  });

  it('prefers the hold when a hold and a release carry the same instant', () => {
    const d = decide(f.psa, f.ctx({ clinicianActions: [f.release('Observation/psa'), f.hold('Observation/psa')] }), f.rules);
    assert.equal(d.ruleId, 'clinician-hold');
  });

  it('denies by default when no rule releases (a pack without a catch-all)', () => {
    const file = { ...f.rules.file, rules: f.rules.file.rules.filter((r) => r.id !== 'default-release') };
    const strict = loadRules(file, 'no-catch-all.json', { readValueSet: () => ({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '75622-1' }] }] } }) });
    const d = decide(f.lipidPanel, f.ctx(), strict);
    assert.deepEqual([d.visible, d.presence, d.ruleId], [false, 'pending', 'default-deny']);
    assert.equal(decide(f.lipidPanel, f.ctx({ clinicianActions: [f.release('DiagnosticReport/lipid')] }), strict).visible, true);
  });
});

describe('policy engine: precedence and audit facts', () => {
  it('the most restrictive matching rule wins and every match is recorded', () => {
    const hivPathology = { ...f.pathology, meta: { security: [f.label('HIV')] } };
    const d = decide(hivPathology, f.ctx(), f.rules);
    assert.equal(d.ruleId, 'hiv-sud-hold');
    assert.deepEqual(d.matched, ['hiv-sud-hold', 'pathology-delay', 'default-release']);
  });

  it('a proxy-only hide outranks a hold for the proxy, while the patient gets the hold', () => {
    const teenHiv = { ...f.chlamydia, meta: { security: [f.label('STD'), f.label('HIV')] } };
    const teen = { birthDate: f.TEEN_BIRTH };
    assert.equal(decide(teenHiv, f.ctx({ ...teen, ...proxy }), f.rules).presence, 'absent');
    assert.equal(decide(teenHiv, f.ctx(teen), f.rules).ruleId, 'hiv-sud-hold');
  });

  it('decides patient and proxy separately', () => {
    const teen = { birthDate: f.TEEN_BIRTH };
    assert.equal(decide(f.pregnancy, f.ctx(teen), f.rules).visible, true);
    assert.equal(decide(f.pregnancy, f.ctx({ ...teen, ...proxy }), f.rules).visible, false);
  });

  it('reads security labels from a DocumentReference\'s securityLabel too', () => {
    const doc = { ...f.documentFor(f.lipidPanel, 'doc-l'), securityLabel: [{ coding: [f.label('NOPAT')] }] };
    assert.equal(decide(doc, f.ctx(), f.rules).ruleId, 'harm-label-hold');
  });

  it('masks a preliminary document (docStatus)', () => {
    const doc = { ...f.documentFor(f.lipidPanel, 'doc-p'), docStatus: 'preliminary' };
    assert.equal(decide(doc, f.ctx(), f.rules).action, 'mask');
  });

  it('reads an HIV code on an Observation component', () => {
    const panel = f.observation({ id: 'panel', code: '24323-8', display: 'Comprehensive metabolic panel' });
    panel.component = [{ code: { coding: [{ system: 'http://loinc.org', code: '7917-8' }] }, valueString: 'Nonreactive' }];
    assert.equal(decide(panel, f.ctx(), f.rules).ruleId, 'hiv-sud-hold');
  });

  it('flags notify_clinician alongside another action', () => {
    const file = structuredClone(f.rules.file);
    file.rules.unshift({ id: 'tell-clinician', when: { interpretation: ['H'] }, then: { action: 'notify_clinician', basis: 'PREVENTING_HARM_INDIVIDUAL' } });
    const withNotify = loadRules(file, 'notify.json', { readValueSet: () => ({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '75622-1' }] }] } }) });
    const d = decide(f.psa, f.ctx(), withNotify);
    assert.deepEqual([d.action, d.notifyClinician], ['delay', true]);
    assert.equal(decide(f.cholesterol, f.ctx(), withNotify).notifyClinician, undefined);
  });

  it('is deterministic', () => {
    const c = f.ctx({ ...proxy, birthDate: f.TEEN_BIRTH });
    assert.deepEqual(decide(f.pathology, c, f.rules), decide(f.pathology, c, f.rules));
  });
});

describe('policy engine: viewer role and time-since-issued conditions', () => {
  const file = structuredClone(f.rules.file);
  file.rules.unshift(
    {
      id: 'psy-not-to-guardians',
      when: { label: ['PSY'], relationship: ['GUARD'] },
      then: { action: 'hide_from_proxy', basis: 'PROXY_SUBSTANTIAL_HARM' },
    },
    {
      id: 'fresh-result-note',
      when: { sinceIssued: { lessThan: { hours: 24 } }, viewer: ['patient', 'proxy'] },
      then: { action: 'release_with_note', basis: 'PRIVACY_PATIENT_REQUEST', note: { en: 'New today.', es: 'Nuevo hoy.' } },
    },
  );
  const set = loadRules(file, 'roles.json', { readValueSet: () => ({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '75622-1' }] }] } }) });
  const psy = { ...f.cholesterol, meta: { security: [f.label('PSY')] } };
  const at = (c: Parameters<typeof f.ctx>[0]) => decide(psy, f.ctx({ now: f.AFTER, ...c }), set);

  it('matches the proxy\'s relationship, and holds back when the relationship is unknown', () => {
    assert.equal(at({ viewer: { kind: 'proxy', id: 'g', relationship: 'GUARD' } }).presence, 'absent');
    assert.equal(at({ viewer: { kind: 'proxy', id: 'g' } }).presence, 'absent');
    assert.equal(at({ viewer: { kind: 'proxy', id: 'm', relationship: 'MTH' } }).presence, 'shown');
    assert.equal(at({}).presence, 'shown');
  });

  it('counts hours since issued, and leaves staff out of a patient/proxy-only rule', () => {
    const justIssued = new Date(Date.parse(f.ISSUED) + 3_600_000);
    assert.equal(decide(f.hdl, f.ctx({ now: justIssued }), set).note, 'New today.');
    assert.equal(decide(f.hdl, f.ctx({ now: justIssued, locale: 'es' }), set).note, 'Nuevo hoy.');
    assert.equal(decide(f.hdl, f.ctx({ now: f.BEFORE }), set).ruleId, 'default-release');
    assert.equal(decide(f.hdl, f.ctx({ now: justIssued, viewer: { kind: 'staff', id: 'dr' } }), set).ruleId, 'default-release');
  });
});
