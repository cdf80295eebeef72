import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import type { TestBrowser } from '../helpers/browser.js';
import { DesktopBrowser, dumpDatabase, heldSessionSecrets, pdfWith, waitAllDelivered } from './support.js';

/**
 * Issue 8 "Done when": a patient and a proxy use every part of the portal, the writes reach the
 * EHR, and then nothing they wrote, nobody's name and no credential is readable in the database
 * or the logs; the activity page tells the patient who looked; an edited or removed audit row is
 * named by `npm run audit:verify`.
 */
const PATIENT = 'robert-okafor';
const PROXY = 'rp-grace-okafor';
const OTHER_PATIENT = 'maria-lopez';
const LISTS = ['/api/summary', '/api/messages', '/api/appointments', '/api/results', '/api/documents', '/api/activity'];

function word(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Each secret that appears in `text`, by name (never the value itself, to keep failure output clean). */
function found(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => v && text.includes(v))
    .map(([k]) => k);
}

async function readEverything(b: TestBrowser): Promise<void> {
  for (const path of LISTS) {
    const r = await b.get(path);
    assert.equal(r.status, 200, `${path} answered ${r.status}`);
  }
  const threads = (await b.get('/api/messages')).json.items as { id: string }[];
  assert.ok(threads.length > 0);
  assert.equal((await b.get(`/api/messages/${threads[0]!.id}`)).status, 200);
  const results = (await b.get('/api/results')).json.items as { id: string }[];
  if (results[0]) assert.equal((await b.get(`/api/results/${results[0].id}`)).status, 200);
}

function auditVerify(portal: TestPortal): Promise<{ code: number; out: string }> {
  if (portal.config.database.kind !== 'postgres') throw new Error('the scenario runs on PostgreSQL');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: portal.config.database.url,
    DATA_DIR: portal.config.env.DATA_DIR,
    ENCRYPTION_KEYS_FILE: join(portal.config.env.DATA_DIR, 'encryption-keys.json'),
  };
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'audit:verify'], { env, cwd: process.cwd(), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('security, end to end: a full scenario leaves no plaintext behind (PostgreSQL)', function () {
  this.timeout(180_000);
  let portal: TestPortal;
  let patient: DesktopBrowser;
  let proxy: DesktopBrowser;
  let other: DesktopBrowser;
  let dump: string;
  /** Things that must never be stored or logged in the clear. */
  const phi: Record<string, string> = {};
  const credentials: Record<string, string> = {};

  before(async () => {
    portal = await startTestPortal();
    const markers = { subject: word('zebra'), body: word('walrus'), attachment: word('quokka'), upload: word('okapi'), uploadFile: word('tapir'), appointment: word('ibex'), reply: word('narwhal') };
    Object.assign(phi, markers, { family: 'Okafor', patientName: 'Robert Chukwuma Okafor', given: 'Chukwuma', proxyName: 'Grace Okafor', proxyGiven: 'Grace' });

    patient = new DesktopBrowser(portal.url);
    proxy = new DesktopBrowser(portal.url);
    other = new DesktopBrowser(portal.url);
    const ps = await patient.launch(PATIENT);
    const xs = await proxy.launch(PATIENT, PROXY);
    await other.launch(OTHER_PATIENT);
    assert.equal(ps.viewer.kind, 'patient');
    assert.equal(xs.viewer.kind, 'proxy');
    await readEverything(patient);
    await readEverything(proxy);
    await readEverything(other);

    const message = new FormData();
    message.set('purpose', 'medication-question');
    message.set('subject', `Rash ${markers.subject}`);
    message.set('body', `My rash is worse since the new pill ${markers.body}`);
    message.set('attachments', new Blob([pdfWith(markers.attachment)], { type: 'application/pdf' }), 'rash-photo.pdf');
    const sent = await patient.postForm('/api/messages', message);
    assert.equal(sent.status, 202, sent.text);

    const upload = new FormData();
    upload.set('category', 'insurance-card');
    upload.set('description', `Insurance card ${markers.upload}`);
    upload.set('file', new Blob([pdfWith(markers.uploadFile)], { type: 'application/pdf' }), 'card.pdf');
    const up = await patient.postForm('/api/documents', upload);
    assert.equal(up.status, 202, up.text);

    const appt = await patient.post('/api/appointment-requests', { reason: `Skin check ${markers.appointment}`, visitType: 'in-person', preferred: [{ date: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10), partOfDay: 'morning' }], notes: `Mornings ${markers.appointment}` });
    assert.equal(appt.status, 202, appt.text);

    const threadId = ((await proxy.get('/api/messages')).json.items as { id: string }[])[0]!.id;
    const reply = await proxy.post(`/api/messages/${threadId}/replies`, { body: `He is still dizzy ${markers.reply}` });
    assert.equal(reply.status, 202, reply.text);

    await waitAllDelivered(portal, 4);
    const thread = await patient.get(`/api/messages/${encodeURIComponent(sent.json.threadId)}`);
    assert.equal(thread.status, 200);
    // The EHR's copy is shown: the write really went through, carrying the marker.
    assert.ok(thread.text.includes(markers.body) && thread.text.includes('"delivered"'), 'message shown as delivered');
    await readEverything(patient);

    // Credentials, taken while the sessions still hold them.
    const held = await heldSessionSecrets(portal);
    assert.ok(held.length >= 3, 'three live sessions');
    held.forEach((s, i) => {
      credentials[`accessToken#${i}`] = s.accessToken;
      if (s.refreshToken) credentials[`refreshToken#${i}`] = s.refreshToken;
      credentials[`csrfToken#${i}`] = s.csrfToken;
    });
    assert.ok(Object.keys(credentials).some((k) => k.startsWith('refreshToken')), 'the sandbox grants refresh tokens (offline_access)');
    for (const [who, b] of Object.entries({ patient, proxy, other })) {
      for (const [name, value] of b.jar) if (value.length >= 16) credentials[`cookie ${who} ${name}`] = value;
    }
    assert.ok(Object.keys(credentials).some((k) => k.includes('portal_session')), 'session cookies captured');

    const out = await proxy.request('/logout', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': proxy.session!.csrfToken } });
    assert.equal(out.status, 200);
    dump = await dumpDatabase(portal.config.database.kind === 'postgres' ? portal.config.database.url : '');
  });
  after(async () => portal?.stop());

  it('the database dump holds rows for everything that happened', () => {
    // Guards the check below against dumping the wrong (empty) database.
    for (const table of ['audit_entry', 'portal_session', 'outbox_item']) assert.match(dump, new RegExp(`COPY public\\.${table} `));
    assert.ok(dump.includes(PATIENT) && dump.includes(PROXY), 'rows name the patient and proxy by id');
    assert.match(dump, /eyJ/, 'encrypted (JWE) values are present');
  });

  it('the database holds no message text, attachment bytes, upload, request text or names', () => {
    assert.deepEqual(found(dump, phi), []);
  });

  it('the database holds no access or refresh token, CSRF token or session cookie value', () => {
    assert.deepEqual(found(dump, credentials), []);
  });

  it('no log line carries a marker, a name, a token or a cookie value', () => {
    const lines = portal.logs.lines;
    assert.ok(lines.length > 50, 'the scenario was logged');
    const leaks = lines.flatMap((l, i) => found(l, { ...phi, ...credentials }).map((k) => `line ${i}: ${k}`));
    assert.deepEqual(leaks, []);
  });

  it("the activity page shows the patient's sign-in with a device and the proxy's views by name, and nobody else's entries", async () => {
    const act = await patient.get('/api/activity');
    assert.equal(act.status, 200);
    const items = act.json.items as { seq: number; action: string; who: { kind: string; name?: string }; device?: string }[];
    const signin = items.find((i) => i.action === 'signin' && i.who.kind === 'patient');
    assert.ok(signin, 'patient sign-in listed');
    assert.equal(signin.device, 'Chrome on Mac');
    const proxyViews = items.filter((i) => i.action === 'read' && i.who.kind === 'proxy');
    assert.ok(proxyViews.length > 0, 'proxy views listed');
    assert.ok(proxyViews.every((i) => i.who.name === phi.proxyName));
    const foreign = new Set(
      ((await portal.db.query('SELECT seq FROM audit_entry WHERE patient_id IS DISTINCT FROM $1', [PATIENT])) as { seq: string }[]).map((r) => Number(r.seq)),
    );
    assert.ok(foreign.size > 0, 'the other patient and sign-in attempts have entries of their own');
    assert.deepEqual(items.filter((i) => foreign.has(i.seq)), []);
    assert.ok(!act.text.includes('Maria'));
  });

  // Last: it edits the audit trail.
  it('npm run audit:verify names an edited row, then a removed one', async () => {
    const intact = await auditVerify(portal);
    assert.equal(intact.code, 0, intact.out);
    assert.match(intact.out, /audit chain intact/);

    const [{ n }] = (await portal.db.query('SELECT max(seq)::int AS n FROM audit_entry')) as { n: number }[];
    assert.ok(n >= 20, `only ${n} audit entries`);
    const edited = Math.floor(n / 3);
    const removed = Math.floor((2 * n) / 3);
    await portal.db.query('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    const [row] = (await portal.db.query('SELECT action FROM audit_entry WHERE seq = $1', [edited])) as { action: string }[];
    await portal.db.query(`UPDATE audit_entry SET action = 'export' WHERE seq = $1`, [edited]);
    const altered = await auditVerify(portal);
    assert.equal(altered.code, 1, altered.out);
    assert.match(altered.out, new RegExp(`#${edited}\\b.*altered`));

    await portal.db.query('UPDATE audit_entry SET action = $1 WHERE seq = $2', [row!.action, edited]);
    assert.equal((await auditVerify(portal)).code, 0, 'restoring the row restores the chain');
    await portal.db.query('DELETE FROM audit_entry WHERE seq = $1', [removed]);
    const missing = await auditVerify(portal);
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, new RegExp(`#${removed}\\b.*missing`));
  });
});
