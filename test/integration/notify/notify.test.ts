import assert from 'node:assert/strict';
import type { DiagnosticReport, Observation } from 'fhir/r4.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';
import { countRows, ehrCreate, mailText, reportsByCode, sleep, startSmtp, waitFor } from './helpers.js';

const MARIA = 'maria-lopez';
const MARIA_MAIL = 'maria.lopez@example.org';

/** Strings that must never reach a notification: names, test names, values, message text. */
function assertNoPhi(text: string, forbidden: string[]): void {
  for (const f of forbidden) assert.ok(!text.toLowerCase().includes(f.toLowerCase()), `notification carries "${f}"`);
}

describe('notifications through a real SMTP server (sandbox EHR, Postgres)', function () {
  this.timeout(120_000);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let portal: TestPortal;

  before(async () => {
    smtp = await startSmtp();
    // Digest off here: each scenario counts its own mails; the digest has its own test below.
    portal = await startTestPortal({ env: { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '200', NOTIFY_DIGEST_MINUTES: '0', OUTBOX_OVERDUE_MINUTES: '0.05' } });
  });
  after(async () => {
    await portal?.stop();
    await smtp?.close();
  });

  it('a care-team reply produces exactly one mail, in the patient\'s language, without the text or any name', async () => {
    const marker = `Your biopsy shows lymphoma ${Date.now()}`;
    const res = await fetch(`${portal.url}/sandbox/staff/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: MARIA, body: marker }) });
    assert.equal(res.status, 201);
    const mail = await waitFor('the reply notification', () => smtp.to(MARIA_MAIL)[0]);
    const text = mailText(mail);
    assert.match(text, /mensaje nuevo de Riverside Family Health/);
    assert.match(text, new RegExp(portal.url.replace(/[.:/]/g, '\\$&')));
    assertNoPhi(text, ['lymphoma', 'biopsy', 'Maria', 'Lopez', 'Chen', marker]);
    await sleep(6500); // one more change pass (pollSeconds 5) must not send it again
    assert.equal(smtp.to(MARIA_MAIL).length, 1);
    assert.equal(await countRows(portal, `SELECT count(*) AS n FROM audit_entry WHERE action = 'notify' AND patient_id = $1`, [MARIA]), 1);
  });

  it('a clinician release of a held result produces one mail, naming neither the test nor its value', async () => {
    const before = smtp.to(MARIA_MAIL).length;
    const [hiv] = await reportsByCode(portal, MARIA, '75622-1');
    assert.ok(hiv?.id, 'the seed has Maria\'s held HIV test');
    // The sandbox cannot sign in a Practitioner, so the release goes through the route's own steps.
    const s = portal.services;
    await s.db.transaction(async (m) => {
      await s.policyState.recordClinicianAction(m, { ehrId: 'sandbox', patientId: MARIA, resourceRef: `DiagnosticReport/${hiv.id}`, action: 'release', by: 'pr-chen', reason: 'Discussed by phone' });
      await s.audit.record({ actor: { kind: 'staff', id: 'pr-chen' }, ehrId: 'sandbox', patientId: MARIA, action: 'staff_release', resourceType: 'DiagnosticReport', resourceId: hiv.id, outcome: 'success', decision: 'clinician_release', details: { reason: 'Discussed by phone' } }, m);
    });
    await waitFor('the release notification', () => smtp.to(MARIA_MAIL).length > before || undefined);
    await sleep(2500);
    const fresh = smtp.to(MARIA_MAIL).slice(before);
    assert.equal(fresh.length, 1);
    const text = mailText(fresh[0]!);
    assert.match(text, /resultado nuevo/);
    assertNoPhi(text, ['HIV', 'negative', 'negativo', 'Maria', 'Lopez', 'Discussed', '75622']);
    assert.equal(await countRows(portal, `SELECT count(*) AS n FROM notification_event WHERE idempotency_key = $1`, [`result:sandbox:${hiv.id}:patient:${MARIA}`]), 1);
  });

  it('a write the EHR cannot take tells its author once, without what they wrote', async () => {
    const browser = new TestBrowser(portal.url);
    await browser.launch('robert-okafor');
    // The sign-in is seen and the contact details kept while the EHR still answers.
    await waitFor('contact snapshot', async () => (await countRows(portal, `SELECT count(*) AS n FROM notification_preference WHERE patient_id = 'robert-okafor' AND contact IS NOT NULL`)) > 0 || undefined);
    portal.sandbox!.faults.down = true;
    try {
      const subject = `Swollen ankles ${Date.now()}`;
      const sent = await browser.post('/api/messages', { purpose: 'medication-question', subject, body: 'My furosemide is not working, ankles swollen' });
      assert.equal(sent.status, 202, sent.text);
      const address = 'robert.okafor@example.org';
      const mail = await waitFor('the overdue-write notification', () => smtp.to(address)[0]);
      const text = mailText(mail);
      assert.match(text, /has not reached the clinic yet/);
      assertNoPhi(text, [subject, 'furosemide', 'ankles', 'Robert', 'Okafor', 'medication']);
      await sleep(2000);
      assert.equal(smtp.to(address).length, 1);
    } finally {
      portal.sandbox!.faults.down = false;
    }
  });

  it('a proxy hears nothing of a result hidden from proxies, and does hear of one shown to them', async () => {
    const mother = new TestBrowser(portal.url);
    await mother.launch('emma-nguyen', 'rp-linh-nguyen'); // the mother has signed in once: she is a known proxy
    const [sti] = await reportsByCode(portal, 'emma-nguyen', '43304-5');
    assert.ok(sti);
    const now = new Date().toISOString();
    const obs = await ehrCreate<Observation>(portal, {
      resourceType: 'Observation', status: 'final', meta: sti.meta?.security ? { security: sti.meta.security } : {},
      code: sti.code, subject: { reference: 'Patient/emma-nguyen' }, issued: now, valueCodeableConcept: { text: 'Detected' },
    });
    await ehrCreate<DiagnosticReport>(portal, { ...sti, id: undefined, meta: { security: sti.meta?.security ?? [] }, issued: now, result: [{ reference: `Observation/${obs.id}` }] } as DiagnosticReport);
    const emma = await waitFor('Emma\'s result notification', () => smtp.to('emma.nguyen@example.org')[0]);
    assertNoPhi(mailText(emma), ['Chlamydia', 'Detected', 'Emma', 'Nguyen']);
    await sleep(6500);
    assert.equal(smtp.to('emma.nguyen@example.org').length, 1);
    assert.equal(smtp.to('linh.nguyen@example.org').length, 0, 'the mother must not hear of the confidential result');

    // Control: a blood count (shown to proxies) does reach her.
    const [cbc] = await reportsByCode(portal, 'emma-nguyen', '58410-2');
    assert.ok(cbc);
    await ehrCreate<DiagnosticReport>(portal, { ...cbc, id: undefined, meta: {}, issued: new Date().toISOString(), result: [] } as DiagnosticReport);
    const toMother = await waitFor('the mother\'s notification', () => smtp.to('linh.nguyen@example.org')[0]);
    assertNoPhi(mailText(toMother), ['CBC', 'blood', 'Emma', 'Linh', 'Nguyen']);
  });
});
