/**
 * QA findings on the pages themselves: how home names the record, the account-activity table on a
 * narrow screen, long words on a phone, and what the session pages promise about drafts.
 * (The real layout at 375 px is checked in Chromium by test/e2e/portal.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivityList } from '../../../src/portal/portal.js';
import { ASSET_DIR } from '../../../src/ui/assets.js';
import { renderActivity } from '../../../src/ui/pages/activity.js';
import { renderHome } from '../../../src/ui/pages/home.js';
import { renderSignedOut, renderSignInAgain } from '../../../src/ui/pages/status-pages.js';
import { assertWellFormedPage, chrome, fullPage, rc, textOf } from './helpers.js';

const css = readFileSync(join(ASSET_DIR, 'portal.css'), 'utf8');

/** The declarations of every rule whose selector list includes `selector`, inside `within` when given. */
function declarations(selector: string, within?: string): string {
  const source = within === undefined ? css : css.slice(css.indexOf(within));
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rules = [...source.matchAll(new RegExp(`(?:^|[},])\\s*(?:[^{}]*,\\s*)?${escaped}\\s*(?:,[^{}]*)?\\{([^}]*)\\}`, 'gm'))];
  return rules.map((m) => m[1]).join(';');
}

describe('ui/home names whose record it is in the sentence', () => {
  it('English: "Here is what is new in the record of <name>." with no name in brackets after it', () => {
    const page = fullPage(rc(), chrome(), renderHome(rc(), chrome(), null));
    const text = textOf(page);
    assert.match(text, /Here is what is new in the record of Maria Elena Lopez\./);
    assert.doesNotMatch(text, /\(Maria Elena Lopez\)/);
    assertWellFormedPage(page, 'home');
    // A proxy, and a record without a name, keep their sentences.
    const proxy = chrome({ viewer: { kind: 'proxy', name: 'Ana Lopez', relationship: 'daughter' } });
    assert.match(textOf(renderHome(rc(), proxy, null).body.value), /Here is what is new in Maria Elena Lopez's record\./);
    assert.match(textOf(renderHome(rc(), chrome({ patientName: null }), null).body.value), /Here is what is new in your record\./);
  });

  it('Spanish: "Esto es lo nuevo en el expediente de <name>."', () => {
    const text = textOf(renderHome(rc('es'), chrome(), null).body.value);
    assert.match(text, /Esto es lo nuevo en el expediente de Maria Elena Lopez\./);
    assert.doesNotMatch(text, /\(Maria Elena Lopez\)/);
  });
});

describe('ui/activity on a narrow screen', () => {
  const list: ActivityList = {
    scope: 'record',
    older: null,
    items: [{ seq: 1, at: '2025-05-31T10:00:00Z', atDisplay: 'May 31, 2025, 6:00 AM', action: 'read', description: 'Looked at test results', who: { kind: 'patient' }, device: 'Firefox on Windows', outcome: 'success' }],
  };

  it('labels every cell with its column name, and keeps the caption and column headers', () => {
    for (const locale of ['en', 'es'] as const) {
      const r = rc(locale);
      const page = fullPage(r, chrome(), renderActivity(r, chrome(), list));
      const labels = [...page.matchAll(/<td data-label="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(labels, [r.t.activityWhen, r.t.activityWhat, r.t.activityWho, r.t.activityDevice, r.t.activityOutcome]);
      assert.match(page, /<caption id="activity-caption">/);
      assert.equal((page.match(/<th scope="col">/g) ?? []).length, 5);
      assertWellFormedPage(page, `activity ${locale}`);
    }
  });

  it('stacks the rows under the narrow breakpoint, labels shown from data-label, headers kept for screen readers', () => {
    assert.match(declarations('.data-table.activity td::before', '@media (max-width: 40rem)'), /content:\s*attr\(data-label\)/);
    assert.match(declarations('.data-table.activity tr', '@media (max-width: 40rem)'), /display:\s*block/);
    const thead = declarations('.data-table.activity thead', '@media (max-width: 40rem)');
    assert.match(thead, /clip:/, 'the header row is visually hidden');
    assert.doesNotMatch(thead, /display:\s*none/, 'not removed from the accessibility tree');
    assert.ok(css.indexOf('.data-table.activity td::before') > css.indexOf('@media (max-width: 40rem)'), 'only on narrow screens');
  });
});

describe('ui/stylesheet: long words wrap', () => {
  it('lets headings, subjects, snippets, file names and table cells break a long word (inherited from body)', () => {
    assert.match(declarations('body'), /overflow-wrap:\s*anywhere/);
    // Nothing below turns it back off for the text a patient or the EHR writes.
    assert.doesNotMatch(css, /overflow-wrap:\s*normal|word-break:\s*keep-all/);
  });
});

describe('ui/session pages and drafts', () => {
  it('the signed-out page says nothing about kept drafts', () => {
    for (const locale of ['en', 'es'] as const) {
      const text = textOf(renderSignedOut(rc(locale)).value);
      assert.doesNotMatch(text, /kept|browser|navegador|guarda/);
      assert.match(text, locale === 'en' ? /signed out/ : /Cerró su sesión/);
    }
  });

  it('"please sign in again" promises kept drafts only after a timeout', () => {
    const text = (code: Parameters<typeof renderSignInAgain>[1]) => textOf(renderSignInAgain(rc(), code, 'req-1').value);
    assert.match(text('session_idle'), /kept in this browser/);
    assert.match(text('session_expired'), /kept in this browser/);
    assert.doesNotMatch(text('session_ended'), /kept in this browser/);
    assert.doesNotMatch(text('session_required'), /kept in this browser/);
    assert.match(text('session_required'), /Reference: req-1 \(session_required\)/);
  });
});
