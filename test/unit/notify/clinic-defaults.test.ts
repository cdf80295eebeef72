import assert from 'node:assert/strict';
import { registrationSchema } from '../../../src/config/registration.js';
import { clinicDefaults } from '../../../src/notify/settings.js';
import { channelsFor } from '../../../src/notify/preferences.js';

describe('clinic notification defaults', () => {
  const deployment = { defaults: { channels: ['email'] as const, events: ['messages', 'results', 'appointments', 'delivery-problems'] as const } };
  const reg = (notifications: unknown) => registrationSchema.parse({ id: 'c', name: 'C', fhirBaseUrl: 'https://c.example/fhir', auth: { type: 'none' }, notifications });

  it('a registration may set its own defaults; otherwise the deployment\'s apply', () => {
    const own = reg({ defaults: { channels: ['sms-webhook'], events: ['messages'] } });
    assert.deepEqual(clinicDefaults(deployment, own), { channels: ['sms-webhook'], events: ['messages'] });
    assert.equal(clinicDefaults(deployment, reg({})), deployment.defaults);
    const available = new Set(['email', 'sms-webhook'] as const);
    assert.deepEqual(channelsFor('messages', undefined, clinicDefaults(deployment, own), available), ['sms-webhook']);
    assert.deepEqual(channelsFor('results', undefined, clinicDefaults(deployment, own), available), []);
  });

  it('refuses unknown channels and events in a registration, naming the key', () => {
    assert.throws(() => reg({ defaults: { channels: ['pigeon'], events: [] } }), /channels/);
  });
});
