// A one-page PDF 1.4 with standard Type 1 fonts (ISO 32000-1 §7.5: header, body, xref table,
// trailer). Standard fonts need no embedding, so a few hundred bytes open in any reader.

const PAGE_WIDTH = 612; // US Letter, points
const PAGE_HEIGHT = 792;
const MARGIN = 72;

/** Standard fonts use WinAnsi-like single bytes: keep to printable ASCII, dropping accents. */
function toPdfText(line: string): string {
  const ascii = line
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
  return ascii.replace(/[\\()]/g, (c) => `\\${c}`);
}

function contentStream(title: string, lines: readonly string[]): string {
  const ops = ['BT', '/F1 16 Tf', `${MARGIN} ${PAGE_HEIGHT - MARGIN} Td`, `(${toPdfText(title)}) Tj`, '/F2 11 Tf'];
  let first = true;
  for (const line of lines) {
    ops.push(first ? '0 -28 Td' : '0 -16 Td', `(${toPdfText(line)}) Tj`);
    first = false;
  }
  ops.push('ET');
  return ops.join('\n');
}

/**
 * Builds a valid single-page PDF showing `title` and then `lines` of body text. Every xref entry
 * holds the exact byte offset of its `n 0 obj` line, and the file ends with `%%EOF`.
 */
export function buildPdf(title: string, lines: readonly string[]): Buffer {
  const stream = contentStream(title, lines);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
      '/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    `<< /Title (${toPdfText(title)}) /Producer (Riverside sandbox EHR) >>`,
  ];

  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(body, 'latin1');
  // Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space + LF.
  const entries = ['0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)];
  const infoRef = `${objects.length} 0 R`;
  body +=
    `xref\n0 ${objects.length + 1}\n${entries.join('')}` +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${infoRef} >>\n` +
    `startxref\n${xrefOffset}\n%%EOF`;
  return Buffer.from(body, 'latin1');
}
