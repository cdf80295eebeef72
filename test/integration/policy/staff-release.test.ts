import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

interface StaffItem { id: string; title: string; patientSees: string; ruleId: string; basis: string | null }

describe('clinicians release and hold results (staff signed in with a Practitioner fhirUser)', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  before(async () => {
    portal = await startTestPortal();
  });
  after(async () => portal?.stop());

  async function staff(patient: string): Promise<TestBrowser> {
    const b = new TestBrowser(portal.url);
    const s = await b.launch(patient, 'pr-chen');
    assert.equal(s.viewer.kind, 'staff');
    return b;
  }

  it('lists what the patient sees of each result, with the rule and its basis', async () => {
    const b = await staff('james-carter');
    const r = await b.get<{ items: StaffItem[]; held: StaffItem[] }>('/staff/results');
    assert.equal(r.status, 200);
    const pathology = r.json.held.find((i) => /biopsy|pathology/i.test(i.title));
    assert.ok(pathology, JSON.stringify(r.json.held.map((i) => i.title)));
    assert.equal(pathology.basis, 'PRIVACY_STATE_LAW');
    const page = await b.request('/staff', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Release now/);
  });

  it('says, for every report of every seeded patient, exactly what the patient\'s own results page shows', async () => {
    for (const patientId of ['maria-lopez', 'james-carter', 'emma-nguyen', 'robert-okafor', 'aisha-khan']) {
      const b = await staff(patientId);
      const list = await b.get<{ items: StaffItem[] }>('/staff/results');
      assert.equal(list.status, 200, patientId);
      const patient = new TestBrowser(portal.url);
      await patient.launch(patientId);
      const own = await patient.get<{ items: { id: string; status: string }[] }>('/api/results');
      assert.equal(own.status, 200, patientId);
      const status = new Map(own.json.items.map((i) => [i.id, i.status]));
      assert.ok(list.json.items.length > 0, patientId);
      for (const item of list.json.items) {
        // A report the patient may not know of is never listed to them; shown and pending match one for one.
        const expected = { shown: 'available', pending: 'pending', absent: undefined }[item.patientSees];
        assert.equal(status.get(item.id), expected, `${patientId} ${item.id} (${item.title}): staff say ${item.patientSees}`);
      }
    }
  });

  it('a release needs a reason, is audited, and the patient then sees the result', async () => {
    const patient = new TestBrowser(portal.url);
    await patient.launch('james-carter');
    const before = await patient.get<{ items: { id: string; status: string }[] }>('/api/results');
    const b = await staff('james-carter');
    const held = (await b.get<{ held: StaffItem[] }>('/staff/results')).json.held.find((i) => /biopsy|pathology/i.test(i.title))!;
    assert.equal(before.json.items.find((i) => i.id === held.id)?.status, 'pending');

    const noReason = await b.post(`/staff/results/${held.id}/release`, {});
    assert.equal(noReason.status, 400);
    assert.ok(noReason.json.error.fields.reason);
    const ok = await b.post(`/staff/results/${held.id}/release`, { reason: 'Discussed with the patient by phone today' });
    assert.equal(ok.status, 200);

    const after = await patient.get<{ items: { id: string; status: string }[] }>('/api/results');
    assert.equal(after.json.items.find((i) => i.id === held.id)?.status, 'available');
    const rows = (await portal.db.query("SELECT actor_kind, action, resource_id, decision FROM audit_entry WHERE action = 'staff_release'")) as { actor_kind: string; resource_id: string; decision: string }[];
    assert.deepEqual(rows.map((x) => [x.actor_kind, x.resource_id, x.decision]), [['staff', held.id, 'clinician_release']]);
  });

  it('exports the patient\'s audit trail as FHIR AuditEvents, and audits the export', async () => {
    const b = await staff('james-carter');
    const r = await b.get<{ resourceType: string; entry: { resource: { resourceType: string; recorded: string; entity?: unknown[] } }[] }>('/staff/audit-events');
    assert.equal(r.status, 200);
    assert.equal(r.json.resourceType, 'Bundle');
    assert.ok(r.json.entry.length > 0);
    assert.ok(r.json.entry.every((e) => e.resource.resourceType === 'AuditEvent' && e.resource.recorded));
    const exports = (await portal.db.query("SELECT count(*)::int AS n FROM audit_entry WHERE action = 'export' AND patient_id = 'james-carter'")) as { n: number }[];
    assert.equal(exports[0]!.n, 1);
  });

  it('refuses patients and proxies, and results outside the patient in context', async () => {
    const p = new TestBrowser(portal.url);
    await p.launch('maria-lopez');
    assert.equal((await p.get('/staff/results')).status, 403);
    assert.equal((await p.get('/staff/audit-events')).status, 403);
    assert.equal((await p.post('/staff/results/dr-ml-03/release', { reason: 'self-release attempt' })).status, 403);
    const b = await staff('james-carter');
    const other = await b.post('/staff/results/dr-ml-03/release', { reason: 'wrong chart' });
    assert.equal(other.status, 404);
    const noCsrf = await b.request('/staff/results/dr-jc-01/hold', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ reason: 'no token' }) });
    assert.equal(noCsrf.status, 403);
  });
});
