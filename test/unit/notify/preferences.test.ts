import assert from 'node:assert/strict';
import { applyPatch, channelsFor, effectivePreferences, preferencesPatchSchema } from '../../../src/notify/preferences.js';
import type { Channel } from '../../../src/notify/types.js';

const defaults = { channels: ['email'] as Channel[], events: ['messages', 'results', 'appointments', 'delivery-problems'] as const };
const both = new Set<Channel>(['email', 'sms-webhook']);
const emailOnly = new Set<Channel>(['email']);

describe('notify/preferences', () => {
  it('clinic defaults: email on for every event, address from the record', () => {
    const p = effectivePreferences(undefined, defaults, { email: 'a@example.org', sms: '+15550100' }, both);
    assert.deepEqual(p.channels.email, { enabled: true, address: 'a@example.org', source: 'record' });
    assert.deepEqual(p.channels['sms-webhook'], { enabled: false, address: '+15550100', source: 'record' });
    assert.equal(p.saved, false);
    assert.deepEqual(channelsFor('results', undefined, defaults, both), ['email']);
  });

  it('an override wins; null removes it; a channel the deployment lacks stays off', () => {
    let saved = applyPatch({}, { channels: { email: { address: 'me@example.net' }, 'sms-webhook': { enabled: true } } });
    const p = effectivePreferences(saved, defaults, { email: 'a@example.org' }, emailOnly);
    assert.deepEqual(p.channels.email, { enabled: true, address: 'me@example.net', source: 'override' });
    assert.equal(p.channels['sms-webhook'].enabled, false);
    assert.deepEqual(channelsFor('messages', saved, defaults, both), ['email', 'sms-webhook']);
    saved = applyPatch(saved, { channels: { email: { address: null } } });
    assert.equal(effectivePreferences(saved, defaults, { email: 'a@example.org' }, both).channels.email.source, 'record');
  });

  it('an event turned off sends on no channel', () => {
    const saved = applyPatch({}, { events: { appointments: false } });
    assert.deepEqual(channelsFor('appointments', saved, defaults, both), []);
    assert.deepEqual(channelsFor('messages', saved, defaults, both), ['email']);
  });

  it('the PUT schema names the field that is wrong and refuses unknown keys', () => {
    const bad = preferencesPatchSchema.safeParse({ channels: { email: { address: 'nope' } }, events: { messages: 'yes' } });
    assert.equal(bad.success, false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('channels.email.address'));
    assert.ok(paths.includes('events.messages'));
    assert.equal(preferencesPatchSchema.safeParse({ channels: { fax: {} } }).success, false);
    assert.equal(preferencesPatchSchema.safeParse({ channels: { 'sms-webhook': { address: '+1 (916) 555-0144' } } }).success, true);
  });
});
