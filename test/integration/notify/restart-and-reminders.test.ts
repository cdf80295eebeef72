import assert from 'node:assert/strict';
import { startTestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';
import { countRows, mailText, sharedDatabase, sleep, startOn, startSmtp, waitFor } from './helpers.js';

const staffReply = (url: string, patient: string, body: string) =>
  fetch(`${url}/sandbox/staff/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient, body }) });

describe('notifications: restarts, reminders, digest, preferences', function () {
  this.timeout(120_000);

  it('a restart between claim and send neither loses nor duplicates the notification', async () => {
    const stalling = await startSmtp({ stall: true });
    const good = await startSmtp();
    const db = await sharedDatabase();
    const env = { NOTIFY_POLL_MS: '200', NOTIFY_SEND_TIMEOUT_SECONDS: '20', NOTIFY_LEASE_SECONDS: '25' };
    try {
      const first = await startOn(db.url, db.dataDir, { ...env, SMTP_URL: stalling.url });
      assert.equal((await staffReply(first.url, 'james-carter', 'Your PSA went up again')).status, 201);
      // Claimed and handed to SMTP: the server has the message but never says "accepted".
      await waitFor('the send to start', () => stalling.dataStarted > 0 || undefined);
      await first.close();
      await assert.rejects(first.db.query('SELECT 1'), 'the first process is gone');

      // The lease (25 s) runs out under a new process on the same database, which sends it once.
      const clock = () => new Date(Date.now() + 26_000);
      const second = await startOn(db.url, db.dataDir, { ...env, SMTP_URL: good.url }, clock);
      try {
        const mail = await waitFor('the re-sent notification', () => good.to('james.carter@example.org')[0], 40_000);
        const rows = (await second.db.query(`SELECT batch_id, status, attempts FROM notification WHERE patient_id = 'james-carter'`)) as { batch_id: string; status: string; attempts: number }[];
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!.status, 'sent');
        assert.equal(rows[0]!.attempts, 2, 'claimed by the first process, then by the second');
        assert.equal(mail.messageId, `<${rows[0]!.batch_id}@fhir-portal-adapter>`, 'same Message-ID as the interrupted try, so a receiver can drop a copy');
        assertNoPhi(mailText(mail), ['PSA', 'James', 'Carter']);
        await sleep(6000);
        assert.equal(good.to('james.carter@example.org').length, 1);
        assert.equal(stalling.mails.length, 0);
      } finally {
        await second.close();
      }
    } finally {
      await stalling.close();
      await good.close();
      await db.cleanup();
    }
  });

  it('an appointment entering the 24-hour lead gets exactly one reminder, without what or where', async () => {
    const smtp = await startSmtp();
    let offset = 0;
    const portal = await startTestPortal({ env: { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '200' }, clock: () => new Date(Date.now() + offset) });
    try {
      portal.sandbox!.faults.accessTokenTtlSeconds = 86_400; // the sandbox checks tokens against the moved clock too
      await sleep(6000);
      assert.equal(smtp.mails.length, 0, 'the seed\'s lab visit is ~26 h away: outside the 24 h lead');
      offset = 3 * 3_600_000; // three hours later it is ~23 h away
      const mail = await waitFor('the reminder', () => smtp.to('maria.lopez@example.org')[0], 40_000);
      assert.match(mailText(mail), /xima cita con Riverside Family Health/);
      assertNoPhi(mailText(mail), ['Laboratory', 'lab', 'Maria', 'Lopez', 'fasting']);
      await sleep(6000);
      assert.equal(smtp.mails.length, 1);
      assert.equal(await countRows(portal, `SELECT count(*) AS n FROM notification_event WHERE kind = 'appointment' AND idempotency_key LIKE '%:24'`), 1);
    } finally {
      await portal.stop();
      await smtp.close();
    }
  });

  it('digest: a second event inside the window waits for the next send; preferences are validated, stored encrypted and obeyed', async () => {
    const smtp = await startSmtp();
    const portal = await startTestPortal({ env: { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '200' } });
    try {
      const patient = new TestBrowser(portal.url);
      await patient.launch('aisha-khan');
      const got = await patient.get('/api/notification-preferences');
      assert.equal(got.status, 200);
      assert.deepEqual(got.json.channels.email, { enabled: true, address: 'aisha.khan@example.org', source: 'record' });
      assert.equal(got.json.events.messages, true);

      const bad = await patient.request('/api/notification-preferences', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': patient.session!.csrfToken }, body: JSON.stringify({ channels: { email: { address: 'not-an-email' } } }) });
      assert.equal(bad.status, 400);
      assert.ok((await bad.json()).error.fields['channels.email.address']);
      const noCsrf = await patient.request('/api/notification-preferences', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: { messages: false } }) });
      assert.equal(noCsrf.status, 403);

      const put = await patient.request('/api/notification-preferences', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': patient.session!.csrfToken }, body: JSON.stringify({ channels: { email: { address: 'aisha.private@example.net' } } }) });
      assert.equal(put.status, 200);
      assert.deepEqual((await put.json()).channels.email, { enabled: true, address: 'aisha.private@example.net', source: 'override' });
      const stored = (await portal.db.query(`SELECT prefs FROM notification_preference WHERE patient_id = 'aisha-khan' AND prefs IS NOT NULL`)) as { prefs: string }[];
      assert.equal(stored.length, 1);
      assert.ok(!stored[0]!.prefs.includes('aisha.private'), 'preferences are stored as JWE');
      assert.equal(stored[0]!.prefs.split('.').length, 5);

      assert.equal((await staffReply(portal.url, 'aisha-khan', 'first')).status, 201);
      await waitFor('the first mail', () => smtp.to('aisha.private@example.net')[0]);
      assert.equal(smtp.to('aisha.khan@example.org').length, 0, 'the override wins over the record');
      assert.equal((await staffReply(portal.url, 'aisha-khan', 'second')).status, 201);
      await waitFor('the second event', async () => (await countRows(portal, `SELECT count(*) AS n FROM notification WHERE patient_id = 'aisha-khan' AND status = 'pending'`)) === 1 || undefined);
      await sleep(3000);
      assert.equal(smtp.mails.length, 1, 'inside the 15-minute window the second waits');
      const pending = (await portal.db.query(`SELECT next_attempt_at FROM notification WHERE patient_id = 'aisha-khan' AND status = 'pending'`)) as { next_attempt_at: Date }[];
      assert.ok(new Date(pending[0]!.next_attempt_at).getTime() > Date.now() + 10 * 60_000, 'deferred to the end of the window');

      // Messages off: a later reply creates its event but nothing to send.
      await patient.request('/api/notification-preferences', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': patient.session!.csrfToken }, body: JSON.stringify({ events: { messages: false } }) });
      assert.equal((await staffReply(portal.url, 'aisha-khan', 'third')).status, 201);
      await waitFor('the third event', async () => (await countRows(portal, `SELECT count(*) AS n FROM notification_event WHERE patient_id = 'aisha-khan'`)) === 3 || undefined);
      assert.equal(await countRows(portal, `SELECT count(*) AS n FROM notification WHERE patient_id = 'aisha-khan'`), 2);
    } finally {
      await portal.stop();
      await smtp.close();
    }
  });
});

function assertNoPhi(text: string, forbidden: string[]): void {
  for (const f of forbidden) assert.ok(!text.toLowerCase().includes(f.toLowerCase()), `notification carries "${f}"`);
}
