import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

describe('the upload page with a file far over the limit (real HTTP)', function () {
  this.timeout(60_000);
  let portal: TestPortal;
  let maria: TestBrowser;
  before(async () => {
    portal = await startTestPortal({ env: { WORKERS: 'off' } });
    maria = new TestBrowser(portal.url);
    await maria.launch('maria-lopez');
  });
  after(async () => portal?.stop());

  it('says which file is too large and keeps what was typed, instead of a bare 413', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20 * 1024 * 1024, 0x20)]);
    const form = new FormData();
    form.set('_csrf', maria.session!.csrfToken);
    form.set('category', 'form');
    form.set('description', 'Scanned referral letter');
    form.append('file', new Blob([big], { type: 'application/pdf' }), 'big.pdf');
    const res = await maria.request('/documents', { method: 'POST', headers: { accept: 'text/html' }, body: form });
    const html = await res.text();
    assert.equal(res.status, 422, html.slice(0, 300));
    assert.match(html, /big\.pdf/);
    assert.match(html, /5 MB/);
    assert.match(html, /value="Scanned referral letter"/);
    const [row] = (await portal.db.query(`SELECT count(*)::int AS n FROM outbox_item WHERE kind = 'upload'`)) as { n: number }[];
    assert.equal(row!.n, 0, 'nothing was taken');
  });
});
