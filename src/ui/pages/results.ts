import type { InterpretationView, ValueView } from '../../views/observation-value.js';
import type { PendingView } from '../../views/pending.js';
import type { ResultDetail, ResultList, ResultListItem, ResultRow, TrendSeries } from '../../views/results.js';
import { placeInRange, rangeBar, trendChart } from '../charts.js';
import { calendarDay, fileSize } from '../format.js';
import { html, raw, type SafeHtml } from '../html.js';
import { icons } from '../icons.js';
import { listNotices, unavailable, type PageContent } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';

type Available = Extract<ResultListItem, { status: 'available' }>;

/**
 * A held result: the policy's explanation, never a name, value or category. The explanation
 * names the date when there is one (policy/explain.ts), so the page does not say it twice.
 */
export function pendingBlock(rc: RenderContext, p: PendingView, kind: 'result' | 'document', headingLevel: 2 | 3 | 'page' = 3): SafeHtml {
  const heading = kind === 'result' ? rc.t.pendingResult : rc.t.pendingDocument;
  // 'page': the page's own heading already says it.
  const title = headingLevel === 'page' ? null : html`${raw(`<h${headingLevel}>`)}${icons.lock()} ${heading}${raw(`</h${headingLevel}>`)}`;
  return html`<div class="pending">${title}<p>${p.explanation}</p></div>`;
}

/** High/low/critical in words with an icon whose shape differs per meaning (not colour alone). */
export function interpretationBadge(rc: RenderContext, v: Pick<ValueView, 'interpretation' | 'numeric' | 'range'>): SafeHtml {
  const i: InterpretationView | null = v.interpretation;
  if (i === null) return html`<span class="flag flag-none">${rc.t.noFlag}</span>`;
  let icon: SafeHtml;
  if (i.severity === 'critical') icon = icons.critical();
  else if (i.severity === 'normal') icon = icons.normal();
  else if (i.severity === 'info') icon = icons.info();
  else {
    const code = (i.code ?? '').toUpperCase();
    const place = v.numeric !== null && v.range ? placeInRange(v.numeric, v.range) : 'within';
    icon = ['H', 'HU', '>', 'HH'].includes(code) || place === 'above' ? icons.high() : ['L', 'LU', '<', 'LL'].includes(code) || place === 'below' ? icons.low() : icons.abnormal();
  }
  return html`<span class="flag flag-${i.severity}">${icon} <span>${i.label}</span>${i.computed ? html` <span class="hint">${rc.t.computedFlag}</span>` : null}</span>`;
}

function itemCard(rc: RenderContext, r: Available): SafeHtml {
  const { t } = rc;
  const date = r.issued ?? r.effective;
  return html`<li class="card result${r.critical ? ' is-critical' : r.flagged > 0 ? ' is-flagged' : ''}">
<h4><a href="/results/${encodeURIComponent(r.id)}">${r.name}</a></h4>
<p class="meta">${r.resultStatus.label}${date ? html` · <time datetime="${date.iso}">${date.display}</time>` : null}${r.resultCount > 0 ? html` · ${t.valuesCount(r.resultCount)}` : null}</p>
${r.critical ? html`<p class="flag flag-critical">${icons.critical()} <span>${t.criticalFlag}</span></p>` : r.flagged > 0 ? html`<p class="flag flag-abnormal">${icons.abnormal()} <span>${t.flaggedCount(r.flagged)}</span></p>` : null}
${r.hasForm ? html`<p class="meta">${t.hasForm}</p>` : null}
</li>`;
}

export function renderResults(rc: RenderContext, chrome: Chrome, list: ResultList | null): { title: string; body: SafeHtml } {
  const { t } = rc;
  const title = t.resultsTitle;
  if (!chrome.features.results.read || list === null) return { title, body: unavailable(rc, 'results', 'read') };
  const pending = list.items.filter((i): i is PendingView & ResultListItem => i.status === 'pending');
  const available = list.items.filter((i): i is Available => i.status === 'available');
  // Group by calendar day (newest first, as the list comes), then by type within the day.
  const days = new Map<string, { label: string; byType: Map<string, Available[]> }>();
  for (const r of available) {
    const d = r.issued ?? r.effective;
    const day = d ? calendarDay(d.iso, rc.locale, rc.timeZone) : undefined;
    const key = day?.key ?? 'undated';
    const entry = days.get(key) ?? { label: day?.label ?? t.undated, byType: new Map<string, Available[]>() };
    const type = r.category ?? t.otherType;
    entry.byType.set(type, [...(entry.byType.get(type) ?? []), r]);
    days.set(key, entry);
  }
  const sections = [...days.entries()].map(
    ([key, d], n) => html`<section class="result-day" aria-labelledby="day-${n}"><h2 id="day-${n}"><time${key !== 'undated' ? html` datetime="${key}"` : null}>${d.label}</time></h2>${[
      ...d.byType.entries(),
    ].map(([type, items]) => html`<h3>${type}</h3><ul class="cards-list">${items.map((r) => itemCard(rc, r))}</ul>`)}</section>`,
  );
  const waiting =
    pending.length > 0
      ? html`<section aria-labelledby="waiting-heading" class="result-day"><h2 id="waiting-heading">${t.waitingGroup}</h2><ul class="cards-list">${pending.map(
          (p) => html`<li class="card">${pendingBlock(rc, p, 'result')}</li>`,
        )}</ul></section>`
      : null;
  return {
    title,
    body: html`${listNotices(rc, list)}${chrome.viewer.kind === 'patient' ? html`<p><a href="/result-choices">${t.choicesLink}</a></p>` : null}${
      list.items.length === 0 ? html`<p>${t.noResults}</p>` : null
    }${waiting}${sections}`,
  };
}

function valueBlock(rc: RenderContext, v: ValueView, id: string): SafeHtml {
  const { t } = rc;
  const bar = rangeBar(rc, v, `${id}-bar`);
  return html`<dl class="facts">
<div><dt>${t.value}</dt><dd class="value">${v.display ? html`<strong>${v.display}</strong>${v.unit ? html` <span class="unit">${v.unit}</span>` : null}` : t.noValue}</dd></div>
<div><dt>${t.usualRange}</dt><dd>${v.range ? v.range.text : t.noRange}${bar ? html`<br>${bar}` : null}</dd></div>
<div><dt>${t.meaning}</dt><dd>${interpretationBadge(rc, v)}</dd></div>
</dl>`;
}

function rowCard(rc: RenderContext, row: ResultRow, n: number): SafeHtml {
  const { t } = rc;
  const id = `row-${n}`;
  const showComponents = row.components.length > 0;
  return html`<li class="card value-card">
<h3 id="${id}-h">${row.name}</h3>
${row.display !== null || !showComponents ? valueBlock(rc, row, id) : null}
${
  showComponents
    ? html`<h4>${t.components}</h4><ul class="plain components">${row.components.map(
        (c, j) => html`<li><h5>${c.name}</h5>${valueBlock(rc, c, `${id}-c${j}`)}</li>`,
      )}</ul>`
    : null
}
${row.status.code !== 'final' ? html`<p class="meta">${t.reportStatus}: ${row.status.label}</p>` : null}
${row.notes.length > 0 ? html`<div class="notes"><p class="meta">${t.notes}:</p>${row.notes.map((note) => html`<p class="prewrap">${note}</p>`)}</div>` : null}
</li>`;
}

/** The range to draw behind a trend: from this report's value with the same code and unit. */
function rangeFor(detail: ResultDetail, series: TrendSeries) {
  for (const row of detail.results) {
    for (const v of [row, ...row.components]) {
      if (v.code === series.code && v.range && (v.unit === series.unit || v.unit === null || series.unit === null)) return v.range;
    }
  }
  return null;
}

export function renderResultDetail(rc: RenderContext, chrome: Chrome, detail: ResultDetail | PendingView): PageContent {
  const { t } = rc;
  if (!chrome.features.results.read) return { title: t.resultTitle, body: unavailable(rc, 'results', 'read') };
  const back = html`<p><a href="/results">${t.backTo(t.resultsTitle)}</a></p>`;
  if (detail.status === 'pending') return { title: t.pendingResult, body: html`${pendingBlock(rc, detail, 'result', 'page')}${back}` };
  const collected = detail.effective;
  const facts = html`<dl class="facts report-facts">
<div><dt>${t.reportStatus}</dt><dd>${detail.resultStatus.label}</dd></div>
${detail.category ? html`<div><dt>${t.documentType}</dt><dd>${detail.category}</dd></div>` : null}
${collected ? html`<div><dt>${t.collected}</dt><dd><time datetime="${collected.iso}">${collected.display}</time></dd></div>` : null}
${detail.issued ? html`<div><dt>${t.issued}</dt><dd><time datetime="${detail.issued.iso}">${detail.issued.display}</time></dd></div>` : null}
${detail.performers.length > 0 ? html`<div><dt>${t.performer}</dt><dd>${detail.performers.join(', ')}</dd></div>` : null}
</dl>`;
  const conclusion = detail.conclusion ? html`<section aria-labelledby="conclusion-h"><h2 id="conclusion-h">${t.conclusion}</h2><p class="prewrap">${detail.conclusion}</p></section>` : null;
  // A report of words only (an X-ray read, a letter) has no values section at all, not an empty one.
  const values =
    detail.results.length > 0 || detail.notShown > 0
      ? html`<section aria-labelledby="values-h"><h2 id="values-h">${t.values}</h2>${
          detail.notShown > 0 ? html`<p class="notice notice-info" role="note">${t.notShown(detail.notShown)}</p>` : null
        }<ul class="cards-list">${detail.results.map((row, n) => rowCard(rc, row, n))}</ul></section>`
      : null;
  const forms =
    detail.forms.length > 0
      ? html`<section aria-labelledby="forms-h"><h2 id="forms-h">${t.forms}</h2><ul>${detail.forms.map(
          (f) => html`<li><a href="${f.url}">${t.openForm(f.title)}</a>${f.size !== null ? html` <span class="hint">(${fileSize(f.size, rc.locale)})</span>` : null}</li>`,
        )}</ul></section>`
      : null;
  const trends =
    detail.trends.length > 0
      ? html`<section aria-labelledby="trends-h"><h2 id="trends-h">${t.trendsHeading}</h2>${detail.trends.map((s, n) => trendChart(rc, s, rangeFor(detail, s), `trend-${n}`))}</section>`
      : null;
  return { title: t.resultTitle, heading: detail.name, body: html`${facts}${conclusion}${values}${trends}${forms}${back}` };
}
