import assert from 'node:assert/strict';
import { en } from '../../../src/ui/i18n/en.js';
import { es } from '../../../src/ui/i18n/es.js';
import { html, raw } from '../../../src/ui/html.js';
import { fromAcceptLanguage, pickLocale, safeBackPath } from '../../../src/ui/locale.js';
import { acceptedType } from '../../../src/ui/multipart.js';
import { contrastRatio, themeColours, themeCss, themeVersion } from '../../../src/ui/theme.js';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? '' });

/** Every leaf of a catalogue, with its path; functions are called with sample arguments. */
function leaves(obj: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'function') out.set(path, String((v as (...a: unknown[]) => string)(2, 'b', 'c', 'd', 'e')));
    else if (typeof v === 'object' && v !== null) for (const [p, s] of leaves(v, path)) out.set(p, s);
    else out.set(path, String(v));
  }
  return out;
}

describe('ui/locale', () => {
  it('prefers the lang cookie, then Accept-Language, then English', () => {
    assert.equal(pickLocale(headers({ cookie: 'a=1; lang=es', 'accept-language': 'en-US' })), 'es');
    assert.equal(pickLocale(headers({ cookie: 'lang=fr', 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' })), 'es');
    assert.equal(pickLocale(headers({ 'accept-language': 'fr-FR, de;q=0.8' })), 'en');
    assert.equal(pickLocale(headers({})), 'en');
    assert.equal(fromAcceptLanguage('en;q=0.2, es;q=0.8'), 'es');
    assert.equal(fromAcceptLanguage('es;q=0, en'), 'en');
  });

  it('goes back only to a same-site path', () => {
    assert.equal(safeBackPath('/messages/t1?sent=new'), '/messages/t1?sent=new');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/%2f%2fevil.example', '/a\nb', '', 42, undefined, '/x'.repeat(300)]) {
      assert.equal(safeBackPath(bad), '/', String(bad));
    }
  });
});

describe('ui/i18n', () => {
  it('has the same keys in English and Spanish, none empty, and Spanish is really Spanish', () => {
    const e = leaves(en);
    const s = leaves(es);
    assert.deepEqual([...s.keys()].sort(), [...e.keys()].sort());
    for (const [k, v] of s) assert.ok(v.trim().length > 0, `es.${k} is empty`);
    const same = [...e.keys()].filter((k) => e.get(k) === s.get(k));
    // A few words are the same in both (e.g. "Final"), but not many.
    assert.ok(same.length < 5, `untranslated: ${same.join(', ')}`);
  });
});

describe('ui/html', () => {
  it('escapes every interpolation unless it is SafeHtml', () => {
    const name = `<b onclick="x">"O'Neil" & co</b>`;
    assert.equal(html`<p title="${name}">${name}</p>`.value, '<p title="&lt;b onclick=&quot;x&quot;&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;">&lt;b onclick=&quot;x&quot;&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;</p>');
    assert.equal(html`<ul>${['<a>', html`<li>${'<i>'}</li>`]}</ul>`.value, '<ul>&lt;a&gt;<li>&lt;i&gt;</li></ul>');
    assert.equal(html`${null}${undefined}${false}${true}${raw('<br>')}${0}`.value, '<br>0');
  });
});

describe('ui/theme', () => {
  it('computes WCAG contrast ratios', () => {
    assert.equal(Math.round(contrastRatio('#000000', '#ffffff') * 10) / 10, 21);
    assert.ok(contrastRatio('#1f5f8b', '#ffffff') >= 4.5);
    assert.ok(contrastRatio('#77aadd', '#ffffff') < 4.5);
  });

  it('uses the SMART highlight, then the registration colour, only when they keep AA contrast', () => {
    assert.equal(themeColours({ color_highlight: '#1b6fa8' }, '#1f5f8b').primary, '#1b6fa8');
    assert.equal(themeColours({ color_highlight: '#ffee00' }, '#1f5f8b').primary, '#1f5f8b', 'too light for white text');
    assert.equal(themeColours({}, '#aaccee').primary, undefined);
    const dark = themeColours({ color_background: '#111111', color_text: '#eeeeee', color_highlight: '#1b6fa8' }, undefined);
    assert.equal(dark.background, '#111111');
    assert.equal(dark.primary, undefined, 'dark blue links would fail on a dark background');
  });

  it('never lets anything but a hex colour into the stylesheet', () => {
    const c = themeColours({ color_highlight: 'red;} body{display:none', color_background: 'url(https://x)', color_text: '#000' }, '#1f5f8b');
    const css = themeCss(c);
    assert.equal(css, ':root { --primary: #1f5f8b; }\n');
    assert.equal(themeVersion({}), null);
    assert.match(themeVersion(c) ?? '', /^[0-9a-f]{12}$/);
    assert.deepEqual(themeColours('not an object', undefined), {});
  });
});

describe('ui/multipart acceptedType', () => {
  const pdf = Buffer.from('%PDF-1.4\n');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  it('accepts PDF, PNG and JPEG only when the name and the first bytes agree', () => {
    assert.equal(acceptedType({ filename: 'card.pdf', contentType: 'application/pdf', bytes: pdf }), 'application/pdf');
    assert.equal(acceptedType({ filename: 'scan.PNG', contentType: 'image/png', bytes: png }), 'image/png');
    assert.equal(acceptedType({ filename: 'photo.jpeg', contentType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) }), 'image/jpeg');
    assert.equal(acceptedType({ filename: 'card.pdf', contentType: 'application/pdf', bytes: Buffer.from('<html>') }), undefined);
    assert.equal(acceptedType({ filename: 'page.html', contentType: 'application/pdf', bytes: pdf }), undefined);
    assert.equal(acceptedType({ filename: 'x.png', contentType: 'image/png', bytes: Buffer.alloc(0) }), undefined);
  });
});
