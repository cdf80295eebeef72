import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

type Choices = { waitForClinician: boolean; geneticEarlyRelease: boolean };
type Results = { items: { id: string; status: string }[] };

describe("the patient's choices about results reach the release policy (sandbox seed, real HTTP)", function () {
  this.timeout(120_000);
  let portal: TestPortal;
  let james: TestBrowser;

  before(async () => {
    portal = await startTestPortal({ env: { WORKERS: 'off' } });
    james = new TestBrowser(portal.url);
    await james.launch('james-carter');
  });
  after(async () => portal?.stop());

  it('asking to hear non-routine results from the clinician first holds them; taking it back releases them', async () => {
    const pending = async () => (await james.get<Results>('/api/results')).json.items.filter((i) => i.status === 'pending').map((i) => i.id);
    assert.deepEqual((await james.get<Choices>('/api/release-preferences')).json, { waitForClinician: false, geneticEarlyRelease: false });
    const before = await pending();

    const saved = await james.put<Choices>('/api/release-preferences', { waitForClinician: true });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.json, { waitForClinician: true, geneticEarlyRelease: false });
    const waiting = await pending();
    assert.ok(waiting.length > before.length, `more results wait for the clinician: ${before.length} → ${waiting.length}`);
    assert.ok(before.every((id) => waiting.includes(id)));

    assert.equal((await james.put('/api/release-preferences', { waitForClinician: false })).status, 200);
    assert.deepEqual(await pending(), before);

    // Audited, and on the patient's activity page in words.
    const rows = (await portal.db.query(`SELECT decision FROM audit_entry WHERE action = 'release_preferences' ORDER BY seq`)) as { decision: string }[];
    assert.deepEqual(rows.map((r) => r.decision), ['waitForClinician:true', 'waitForClinician:false']);
    const activity = (await james.get<{ items: { description: string }[] }>('/api/activity')).json.items;
    assert.ok(activity.some((i) => i.description === 'You changed the choices about results'));
  });

  it('refuses what it does not know, and anyone but the patient', async () => {
    const bad = await james.put('/api/release-preferences', { waitForClinician: 'yes', shareWithEveryone: true });
    assert.equal(bad.status, 400);
    assert.ok('waitForClinician' in bad.json.error.fields, JSON.stringify(bad.json.error.fields));
    assert.deepEqual((await james.get<Choices>('/api/release-preferences')).json, { waitForClinician: false, geneticEarlyRelease: false }, 'nothing was saved');
    const noCsrf = await james.request('/api/release-preferences', { method: 'PUT', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"waitForClinician":true}' });
    assert.equal(noCsrf.status, 403);
    const grace = new TestBrowser(portal.url);
    await grace.launch('robert-okafor', 'rp-grace-okafor');
    for (const r of [await grace.get('/api/release-preferences'), await grace.put('/api/release-preferences', { waitForClinician: true })]) {
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'patient_only');
    }
  });

  it('the page: the choices as saved, a form that saves them, and a link from the results', async () => {
    const html = async (path: string) => (await james.request(path, { headers: { accept: 'text/html' } })).text();
    assert.match(await html('/results'), /href="\/result-choices"/);
    const form = new URLSearchParams({ _csrf: james.session!.csrfToken, geneticEarlyRelease: 'on' });
    const res = await james.request('/result-choices', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/result-choices?done=saved');
    const page = await html('/result-choices?done=saved');
    assert.match(page, /Your choices are saved/);
    assert.match(page, /id="geneticEarlyRelease" name="geneticEarlyRelease" value="on" checked/);
    assert.doesNotMatch(page, /id="waitForClinician" name="waitForClinician" value="on" checked/);
    assert.deepEqual((await james.get<Choices>('/api/release-preferences')).json, { waitForClinician: false, geneticEarlyRelease: true });
  });
});
