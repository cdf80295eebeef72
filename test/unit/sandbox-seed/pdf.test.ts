import assert from 'node:assert/strict';
import type { Binary } from 'fhir/r4.js';
import { buildSeed } from '../../../src/sandbox/seed/index.js';
import { buildPdf } from '../../../src/sandbox/seed/pdf.js';
import { ofType } from './helpers.js';

/** Checks the cross-reference structure a PDF reader relies on to find each object. */
function checkPdf(bytes: Buffer): void {
  const text = bytes.toString('latin1');
  assert.ok(text.startsWith('%PDF-'), 'starts with %PDF-');
  assert.ok(text.endsWith('%%EOF'), 'ends with %%EOF');

  const startxref = /startxref\n(\d+)\n%%EOF$/.exec(text);
  assert.ok(startxref, 'has a startxref line');
  const xrefAt = Number(startxref[1]);
  assert.equal(text.slice(xrefAt, xrefAt + 5), 'xref\n', 'startxref points at the xref table');

  const header = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
  assert.ok(header, 'xref subsection header');
  const count = Number(header[1]);
  const tableStart = xrefAt + header[0].length;
  for (let i = 0; i < count; i++) {
    const entry = text.slice(tableStart + i * 20, tableStart + (i + 1) * 20);
    assert.match(entry, /^\d{10} \d{5} [nf] \n$/, `xref entry ${i} is 20 bytes`);
    if (i === 0) continue;
    const offset = Number(entry.slice(0, 10));
    assert.equal(text.slice(offset, offset + `${i} 0 obj\n`.length), `${i} 0 obj\n`, `xref entry ${i} points at "${i} 0 obj"`);
  }
  assert.match(text, new RegExp(`trailer\\n<< /Size ${count} /Root 1 0 R`), 'trailer size matches the table');

  const stream = /<< \/Length (\d+) >>\nstream\n/.exec(text);
  assert.ok(stream, 'content stream');
  const bodyStart = stream.index + stream[0].length;
  assert.equal(text.slice(bodyStart + Number(stream[1]), bodyStart + Number(stream[1]) + 10), '\nendstream', '/Length is exact');
}

describe('sandbox seed: PDF files', () => {
  it('buildPdf writes a well-formed single page with the text', () => {
    const pdf = buildPdf('Visit summary', ['Line one', 'Call (916) 555-0140', 'back\\slash']);
    checkPdf(pdf);
    const text = pdf.toString('latin1');
    assert.match(text, /\/Count 1 /);
    assert.ok(text.includes('(Call \\(916\\) 555-0140) Tj'), 'parentheses are escaped');
    assert.ok(text.includes('(back\\\\slash) Tj'), 'backslashes are escaped');
  });

  it('keeps the file ASCII: accents dropped, other characters replaced', () => {
    const pdf = buildPdf('Intérprete', ['Señora López ✓']);
    checkPdf(pdf);
    assert.ok(pdf.every((b) => b >= 0x0a && b < 0x7f), 'only ASCII bytes');
    assert.ok(pdf.toString('latin1').includes('(Senora Lopez ?) Tj'));
  });

  it('every PDF Binary in the seed decodes to a well-formed PDF', () => {
    const seed = buildSeed(new Date('2026-03-10T18:07:33.123Z'));
    const pdfs = ofType<Binary>(seed, 'Binary').filter((b) => b.contentType === 'application/pdf');
    assert.ok(pdfs.length >= 5, `expected at least 5 PDFs, found ${pdfs.length}`);
    for (const b of pdfs) {
      assert.ok(b.data, `${b.id} has data`);
      checkPdf(Buffer.from(b.data, 'base64'));
    }
  });

  it('text/plain Binaries decode to UTF-8 text', () => {
    const seed = buildSeed(new Date('2026-03-10T18:07:33.123Z'));
    const texts = ofType<Binary>(seed, 'Binary').filter((b) => b.contentType === 'text/plain');
    assert.ok(texts.length >= 2);
    for (const b of texts) {
      const s = Buffer.from(b.data!, 'base64').toString('utf8');
      assert.ok(s.length > 40 && !s.includes('\uFFFD'), `${b.id} is readable text`);
    }
  });
});
