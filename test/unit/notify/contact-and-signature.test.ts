import assert from 'node:assert/strict';
import { contactFrom, localeFrom } from '../../../src/notify/contact.js';
import { signWebhook, verifyWebhook } from '../../../src/notify/webhook-signature.js';
import { referencesIn } from '../../../src/notify/detect.js';
import { smtpOptions } from '../../../src/notify/channels.js';

const now = new Date('2026-03-02T18:00:00Z');

describe('notify/contact', () => {
  it('email by rank, sms from system sms or a mobile phone, old entries ignored', () => {
    const c = contactFrom({
      telecom: [
        { system: 'email', value: 'old@example.org', use: 'old' },
        { system: 'email', value: 'second@example.org', rank: 2 },
        { system: 'email', value: 'first@example.org', rank: 1 },
        { system: 'phone', value: '+1-916-555-0100', use: 'home' },
        { system: 'phone', value: '+1-916-555-0144', use: 'mobile' },
        { system: 'email', value: 'ended@example.org', rank: 0, period: { end: '2020-01-01' } },
      ],
    }, now);
    assert.deepEqual(c, { email: 'first@example.org', sms: '+1-916-555-0144' });
  });

  it('language: preferred first; Spanish and English recognised, others left to the default', () => {
    assert.equal(localeFrom([{ language: { coding: [{ code: 'en' }] } }, { language: { coding: [{ code: 'es-MX' }] }, preferred: true }]), 'es');
    assert.equal(localeFrom([{ language: { coding: [{ code: 'vi' }] } }]), undefined);
    assert.equal(localeFrom(undefined), undefined);
  });
});

describe('notify/webhook signature', () => {
  const secret = 'x'.repeat(32);
  it('verifies its own signature, refuses a changed body, another secret or an old timestamp', () => {
    const sig = signWebhook(secret, 1_000_000, '{"a":1}');
    assert.match(sig, /^v1=[0-9a-f]{64}$/);
    assert.equal(verifyWebhook(secret, 1_000_000, '{"a":1}', sig, 1_000_010), true);
    assert.equal(verifyWebhook(secret, 1_000_000, '{"a":2}', sig, 1_000_010), false);
    assert.equal(verifyWebhook('y'.repeat(32), 1_000_000, '{"a":1}', sig, 1_000_010), false);
    assert.equal(verifyWebhook(secret, 1_000_000, '{"a":1}', sig, 1_000_000 + 301), false);
  });
});

describe('notify/rest-hook payload', () => {
  it('finds the references a notification names, and nothing else', () => {
    assert.deepEqual(referencesIn({ resourceType: 'Communication', id: 'c1', payload: [{ contentString: 'ignored' }] }), [{ type: 'Communication', id: 'c1' }]);
    const bundle = { resourceType: 'Bundle', entry: [{ fullUrl: 'https://ehr.example/fhir/DiagnosticReport/r9' }, { resource: { resourceType: 'Appointment', id: 'a1' } }, { resource: { resourceType: 'Patient', id: 'p1' } }] };
    assert.deepEqual(referencesIn(bundle).map((r) => `${r.type}/${r.id}`).sort(), ['Appointment/a1', 'DiagnosticReport/r9']);
    assert.deepEqual(referencesIn(undefined), []);
    assert.deepEqual(referencesIn({ resourceType: 'Communication', id: '../../x' }), []);
  });
});

describe('notify/SMTP_URL', () => {
  it('smtp:// is STARTTLS-capable on 587 by default; smtps:// is implicit TLS; credentials decoded', () => {
    assert.deepEqual(smtpOptions('smtp://mail.example.org'), { host: 'mail.example.org', port: 587, secure: false });
    const o = smtpOptions('smtps://u%40x:p%3Aw@mail.example.org:2465?requireTLS=true');
    assert.equal(o.secure, true);
    assert.equal(o.port, 2465);
    assert.deepEqual(o.auth, { user: 'u@x', pass: 'p:w' });
    assert.equal(o.requireTLS, true);
  });
});
