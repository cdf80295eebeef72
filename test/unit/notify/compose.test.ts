import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compose } from '../../../src/notify/compose.js';
import type { EventKind } from '../../../src/notify/types.js';

const base = { clinicName: 'Riverside Family Health', portalUrl: 'https://portal.example.org', locale: 'en' as const, channel: 'email' as const };

describe('notify/compose: PHI-free words', () => {
  it('one event: its own words, the clinic and the sign-in link', () => {
    const m = compose({ ...base, kinds: ['message'] });
    assert.equal(m.subject, 'New message from Riverside Family Health');
    assert.match(m.text, /^You have a new message from Riverside Family Health\.\n\nSign in to see it: https:\/\/portal\.example\.org\n/);
  });

  it('several events: one "new items waiting" digest', () => {
    const m = compose({ ...base, kinds: ['message', 'result', 'result'] });
    assert.equal(m.subject, 'New items waiting from Riverside Family Health');
    assert.match(m.text, /Sign in to see them/);
  });

  it('Spanish when the record says so', () => {
    assert.match(compose({ ...base, locale: 'es', kinds: ['result'] }).text, /Un resultado nuevo de Riverside Family Health/);
    assert.match(compose({ ...base, locale: 'es', kinds: ['appointment'] }).subject, /Próxima cita/);
  });

  it('an undelivered write adds the clinic phone for urgent matters; SMS text is one line', () => {
    const m = compose({ ...base, kinds: ['write'], supportPhone: '(555) 010-0100', channel: 'sms-webhook' });
    assert.ok(!m.text.includes('\n'));
    assert.match(m.text, /call the clinic at \(555\) 010-0100/);
  });

  it('whatever the events, the text is built only from the clinic, the link and fixed words', () => {
    const kinds: EventKind[] = ['message', 'result', 'appointment', 'write'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 6 }), fc.constantFrom('en' as const, 'es' as const), fc.constantFrom('email' as const, 'sms-webhook' as const), (ks, locale, channel) => {
        const { subject, text } = compose({ ...base, clinicName: 'CLINIC', portalUrl: 'https://x.test', kinds: ks, locale, channel });
        const stripped = `${subject} ${text}`.replaceAll('CLINIC', '').replaceAll('https://x.test', '');
        // No digits survive except none at all: no dates, values or ids can have slipped in.
        assert.ok(!/\d/.test(stripped), stripped);
      }),
    );
  });
});
