import assert from 'node:assert/strict';
import { mapAppointments, toIcs } from '../../../src/views/appointments.js';
import { escapeText, foldLine } from '../../../src/views/ics.js';
import { isAppError } from '../../../src/http/errors.js';
import { appointments, ctx, included } from './fixtures.js';

/** RFC 5545 §3.1 unfolding, then NAME:VALUE per line. */
function parseIcs(text: string): { lines: string[]; props: [string, string][] } {
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const l of physical) {
    assert.ok(!l.includes('\n') && !l.includes('\r'), 'no bare LF or CR');
    assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `line within 75 octets: ${Buffer.byteLength(l, 'utf8')}`);
  }
  const lines: string[] = [];
  for (const l of physical) {
    if (l.startsWith(' ')) lines[lines.length - 1] += l.slice(1);
    else lines.push(l);
  }
  const props = lines.map((l) => {
    const i = l.indexOf(':');
    assert.ok(i > 0, `content line has a name: ${l}`);
    return [l.slice(0, i), l.slice(i + 1)] as [string, string];
  });
  return { lines, props };
}

function unescape(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

describe('views/ics', () => {
  const list = mapAppointments(appointments, included, ctx());
  const up = list.items.find((a) => a.id === 'a-up')!;
  const video = list.items.find((a) => a.id === 'a-video')!;
  const options = { prodId: '-//Riverside Family Clinic//Portal//EN', clinicName: 'Riverside Family Clinic, Springfield' };

  it('writes a VCALENDAR with UTC times, a stable UID and escaped text', () => {
    const text = toIcs(up, options);
    const { lines, props } = parseIcs(text);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.equal(lines.at(-1), 'END:VCALENDAR');
    const get = (name: string) => props.find(([n]) => n === name)?.[1];
    assert.equal(get('VERSION'), '2.0');
    assert.equal(get('PRODID'), '-//Riverside Family Clinic//Portal//EN');
    assert.equal(get('UID'), 'appointment-a-up@fhir-portal-adapter');
    assert.equal(get('DTSTART'), '20250610T130000Z');
    assert.equal(get('DTEND'), '20250610T133000Z');
    assert.equal(get('DTSTAMP'), '20250530T080000Z');
    assert.equal(get('SUMMARY'), 'Blood pressure check – Riverside Family Clinic\\, Springfield');
    assert.equal(unescape(get('SUMMARY')!), 'Blood pressure check – Riverside Family Clinic, Springfield');
    assert.equal(unescape(get('LOCATION')!), 'Riverside Clinic – Main Street, 12 Main St, Suite 200, Springfield, MA 01101');
    assert.equal(
      unescape(get('DESCRIPTION')!),
      'With: Dr. Susan Kim MD\n\nBring your medicines; arrive 15 minutes early.',
    );
    assert.equal(get('STATUS'), 'CONFIRMED');
    // Same input, same bytes: the UID and DTSTAMP do not depend on a clock.
    assert.equal(toIcs(up, options), text);
  });

  it('folds long lines at 75 octets without splitting multi-byte characters', () => {
    const long = { ...up, instructions: 'Ayuno de 8 horas — sólo agua. '.repeat(12).trimEnd() };
    const text = toIcs(long, { ...options, now: new Date('2025-06-01T12:00:00Z') });
    const { props } = parseIcs(text);
    assert.ok(text.split('\r\n').filter((l) => l.startsWith(' ')).length > 3, 'was folded');
    const description = props.find(([n]) => n === 'DESCRIPTION')![1];
    assert.ok(unescape(description).endsWith('Ayuno de 8 horas — sólo agua. Ayuno de 8 horas — sólo agua.'));
    assert.equal(props.find(([n]) => n === 'DTSTAMP')![1], '20250601T120000Z');
    assert.ok(!text.includes('\uFFFD'));
  });

  it('adds the video link as URL and in the description', () => {
    const { props } = parseIcs(toIcs(video, options));
    assert.equal(props.find(([n]) => n === 'URL')![1], 'https://video.example.org/join/abc123');
    assert.match(unescape(props.find(([n]) => n === 'DESCRIPTION')![1]), /Join the video visit: https:\/\/video\.example\.org\/join\/abc123/);
  });

  it('refuses appointments that are not upcoming, with a coded error and no details', () => {
    const past = list.items.find((a) => a.id === 'a-past')!;
    assert.throws(
      () => toIcs(past, options),
      (e: unknown) => isAppError(e) && e.status === 409 && e.code === 'appointment_not_upcoming' && !e.message.includes('physical'),
    );
  });

  it('escapes and folds per RFC 5545', () => {
    assert.equal(escapeText('a\\b;c,d\r\ne\nf'), 'a\\\\b\\;c\\,d\\ne\\nf');
    const folded = foldLine('X:' + 'é'.repeat(80));
    for (const l of folded.split('\r\n')) assert.ok(Buffer.byteLength(l) <= 75);
    assert.equal(folded.split('\r\n').map((l, i) => (i === 0 ? l : l.slice(1))).join(''), 'X:' + 'é'.repeat(80));
    assert.equal(foldLine('short'), 'short');
  });
});
