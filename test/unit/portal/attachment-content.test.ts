import assert from 'node:assert/strict';
import type { FhirSession } from '../../../src/fhir/fhir-session.js';
import { safeFilename, streamAttachment } from '../../../src/portal/attachment-content.js';

describe('portal/attachment-content', () => {
  describe('safeFilename', () => {
    it('keeps a name that already ends with the extension of its type', () => {
      assert.equal(safeFilename('lab-report.pdf', 'application/pdf'), 'lab-report.pdf');
      assert.equal(safeFilename('Scan.PDF', 'application/pdf'), 'Scan.pdf');
      assert.equal(safeFilename('photo.jpeg', 'image/jpeg'), 'photo.jpg');
      // The real type decides the extension.
      assert.equal(safeFilename('photo.png', 'application/pdf'), 'photo.pdf');
      // Quotes, line breaks and path separators still go.
      assert.equal(safeFilename('../"lab"\r\nreport\\2025.pdf', 'application/pdf'), 'labreport2025.pdf');
    });

    it('adds the extension to a name without one', () => {
      assert.equal(safeFilename('Eating well with prediabetes', 'application/pdf'), 'Eating-well-with-prediabetes.pdf');
      assert.equal(safeFilename('.pdf', 'application/pdf'), 'document.pdf');
    });
  });

  it('names a Binary that declares no type after the type actually served', async () => {
    const fhir = {
      openContent: async () => new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), { headers: { 'content-type': 'application/pdf', 'content-length': '4' } }),
    } as unknown as FhirSession;
    const content = await streamAttachment(fhir, { url: 'Binary/b2', title: 'Diet sheet' }, 'attachment-m1-0');
    assert.equal(content.contentType, 'application/pdf');
    assert.equal(content.filename, 'Diet-sheet.pdf');
    content.stream.resume();
  });
});
