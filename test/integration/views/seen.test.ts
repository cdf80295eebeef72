import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

type Thread = { id: string; unread: number };

describe('unread and new: what each viewer has looked at (sandbox seed, real HTTP)', function () {
  this.timeout(120_000);
  for (const backend of ['postgres', 'embedded'] as const) {
    describe(backend, () => {
      let portal: TestPortal;
      before(async () => {
        portal = await startTestPortal({ embedded: backend === 'embedded', env: { WORKERS: 'off' } });
      });
      after(async () => portal?.stop());

      it('a conversation opened is read from then on, for that viewer only, and stays read in the next session', async () => {
        const robert = new TestBrowser(portal.url);
        await robert.launch('robert-okafor');
        const grace = new TestBrowser(portal.url);
        await grace.launch('robert-okafor', 'rp-grace-okafor');
        const unreadOf = async (b: TestBrowser) => (await b.get<{ items: Thread[] }>('/api/messages')).json.items.filter((t) => t.unread > 0);
        const before = await unreadOf(robert);
        assert.ok(before.length >= 1, 'the seed has an unread conversation');
        const target = before[0]!;
        const homeBefore = (await robert.get<{ messages: { unread: number } }>('/api/summary')).json.messages.unread;
        const graceBefore = await unreadOf(grace);

        // Opened: it shows what was unread when opened, and is read from then on.
        const opened = await robert.get<{ messages: { unread: boolean }[] }>(`/api/messages/${target.id}`);
        assert.ok(opened.json.messages.some((m) => m.unread));
        assert.ok(!(await unreadOf(robert)).some((t) => t.id === target.id));
        assert.equal((await robert.get<{ messages: { unread: boolean }[] }>(`/api/messages/${target.id}`)).json.messages.filter((m) => m.unread).length, 0);
        const homeAfter = (await robert.get<{ messages: { unread: number } }>('/api/summary')).json.messages.unread;
        assert.equal(homeAfter, homeBefore - target.unread);

        // His daughter, signed in as his proxy, has not read it.
        assert.deepEqual((await unreadOf(grace)).map((t) => t.id), graceBefore.map((t) => t.id));

        // A new sign-in remembers.
        const again = new TestBrowser(portal.url);
        await again.launch('robert-okafor');
        assert.ok(!(await unreadOf(again)).some((t) => t.id === target.id));
      });

      it('results and documents are no longer new once their page has been seen', async () => {
        const maria = new TestBrowser(portal.url);
        await maria.launch('maria-lopez');
        type Summary = { results: { new: number }; documents: { new: number } };
        const first = (await maria.get<Summary>('/api/summary')).json;
        assert.ok(first.results.new >= 1, 'the seed has new results');
        assert.equal((await maria.get('/api/results')).status, 200);
        assert.equal((await maria.get('/api/documents')).status, 200);
        const after = (await maria.get<Summary>('/api/summary')).json;
        assert.equal(after.results.new, 0);
        assert.equal(after.documents.new, 0);
      });
    });
  }
});
