import assert from 'node:assert/strict';
import type { Bundle, Communication } from 'fhir/r4.js';
import { buildSeed } from '../../../src/sandbox/seed/index.js';
import { ehrLaunch, fhirGet, startHarness, type Harness } from './harness.js';

// The sandbox started the way `npm start` does it: with the project seed (src/sandbox/seed).
describe('sandbox EHR: project seed', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ projectSeed: true, seedDirs: [] });
  });
  after(async () => {
    await h.close();
  });

  it('loads every seed resource and lists the seed patients with their descriptions and proxies', async () => {
    const seed = buildSeed(new Date(h.clock.ms));
    for (const b of seed.bundles) {
      for (const e of b.entry ?? []) await h.sandbox.repo.readResource(e.resource!.resourceType, e.resource!.id!);
    }
    const listed = await h.sandbox.patients();
    assert.deepEqual(listed.map((p) => p.id).sort(), seed.patients.map((p) => p.id).sort());
    for (const p of seed.patients) assert.equal(listed.find((x) => x.id === p.id)!.description, p.description);
    const relatedPeople = seed.bundles.flatMap((b) => b.entry ?? []).filter((e) => e.resource?.resourceType === 'RelatedPerson');
    assert.equal(listed.reduce((n, p) => n + p.proxies.length, 0) > 0, relatedPeople.length > 0);
  });

  it('launches each seed patient and reads their messages; staff replies come from the seed clinician', async () => {
    const seed = buildSeed(new Date(h.clock.ms));
    for (const p of seed.patients) {
      const { tokens } = await ehrLaunch(h, `patient=${p.id}`);
      const res = await fhirGet(h, tokens.access_token, 'Communication?_count=200');
      assert.equal(res.status, 200);
      const b = (await res.json()) as Bundle;
      for (const e of b.entry ?? []) {
        assert.equal((e.resource as Communication).subject?.reference, `Patient/${p.id}`);
      }
    }
    const first = seed.patients[0]!.id;
    const reply = await fetch(`${h.origin}/sandbox/staff/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: first, body: 'Checking in.' }),
    });
    assert.equal(reply.status, 201);
    assert.equal(((await reply.json()) as { practitionerId: string }).practitionerId, seed.practitionerId);
  });
});
