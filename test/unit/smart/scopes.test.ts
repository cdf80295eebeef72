import assert from 'node:assert/strict';
import { featuresFromScope, parseGrants, requestedScopes } from '../../../src/smart/scopes.js';
import { parseFhirUser, showsSecondFactor } from '../../../src/smart/fhir-user.js';

describe('SMART scopes', () => {
  it('asks for v2 scopes with launch for an EHR launch, launch/patient standalone', () => {
    const ehr = requestedScopes({ style: 'v2', ehrLaunch: true, refresh: 'offline_access' });
    assert.ok(ehr.includes('launch') && !ehr.includes('launch/patient'));
    assert.ok(ehr.includes('patient/Communication.crs'));
    assert.ok(ehr.includes('patient/Observation.rs'));
    assert.ok(ehr.includes('openid') && ehr.includes('fhirUser') && ehr.includes('offline_access'));
    const standalone = requestedScopes({ style: 'v2', ehrLaunch: false, refresh: 'online_access' });
    assert.ok(standalone.includes('launch/patient') && !standalone.includes('launch'));
  });

  it('asks for v1 scopes when the EHR only knows v1', () => {
    const v1 = requestedScopes({ style: 'v1', ehrLaunch: true, refresh: 'online_access' });
    assert.ok(v1.includes('patient/Communication.read') && v1.includes('patient/Communication.write'));
    assert.ok(!v1.some((s) => /\.(c?r?u?d?s)$/.test(s) && !/\.(read|write)$/.test(s) && s.startsWith('patient/')));
  });

  it('parses granted v1 and v2 scopes alike', () => {
    for (const scope of ['patient/Communication.rs patient/Communication.c', 'patient/Communication.read patient/Communication.write', 'patient/*.cruds', 'patient/*.*']) {
      const g = parseGrants(scope);
      assert.ok(g.length > 0, scope);
      const f = featuresFromScope(`${scope} patient/Appointment.rs`);
      assert.equal(f.messages.read, true, scope);
      assert.equal(f.messages.write, true, scope);
    }
  });

  it('degrades features the grant narrows, with a reason in plain words', () => {
    const f = featuresFromScope('openid fhirUser patient/Communication.rs patient/DiagnosticReport.rs');
    assert.equal(f.messages.read, true);
    assert.equal(f.messages.write, false);
    assert.match(f.messages.reason!, /not send new ones/);
    assert.equal(f.results.read, false, 'results need Observation too');
    assert.match(f.results.reason!, /test results/);
    assert.equal(f.appointments.read, false);
  });

  it('a search-only or read-only v2 permission is not a usable read', () => {
    assert.equal(featuresFromScope('patient/Appointment.s').appointments.read, false);
    assert.equal(featuresFromScope('patient/Appointment.r').appointments.read, false);
    assert.equal(featuresFromScope('patient/Appointment.rs').appointments.read, true);
  });
});

describe('fhirUser and MFA claims', () => {
  it('tells patient, proxy and staff apart, relative or absolute', () => {
    assert.deepEqual(parseFhirUser('Patient/123'), { kind: 'patient', type: 'Patient', id: '123' });
    assert.deepEqual(parseFhirUser('https://ehr.example/fhir/RelatedPerson/rp-1'), { kind: 'proxy', type: 'RelatedPerson', id: 'rp-1' });
    assert.equal(parseFhirUser('https://ehr.example/fhir/Practitioner/9/_history/2')?.kind, 'staff');
    assert.equal(parseFhirUser('Device/1'), undefined);
    assert.equal(parseFhirUser(undefined), undefined);
  });

  it('finds a second factor in amr or acr only when it is there', () => {
    assert.equal(showsSecondFactor({ amr: ['pwd', 'otp'] }), true);
    assert.equal(showsSecondFactor({ amr: ['pwd'] }), false);
    assert.equal(showsSecondFactor({ acr: 'urn:example:mfa' }), true);
    assert.equal(showsSecondFactor({}), false);
    assert.equal(showsSecondFactor(undefined), false);
  });
});
