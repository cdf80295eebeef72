/**
 * Server-rendered SVG for results: the range bar beside each value and the trend chart per test.
 * Each SVG is role="img" with <title>/<desc> (its text alternative); the trend chart also has a
 * data table, and every colour is paired with a shape or words (WCAG 1.1.1, 1.4.1). Colours
 * come from CSS classes, never inline styles (CSP style-src 'self').
 */
import type { RangeView, ValueView } from '../views/observation-value.js';
import { numberText } from '../views/observation-value.js';
import type { TrendSeries } from '../views/results.js';
import { toMillis } from '../views/format-date.js';
import { calendarDay } from './format.js';
import { html, raw, type SafeHtml } from './html.js';
import type { RenderContext } from './render-context.js';

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

export type Place = 'below' | 'within' | 'above';

export function placeInRange(value: number, range: Pick<RangeView, 'low' | 'high'>): Place {
  if (range.low !== null && value < range.low) return 'below';
  if (range.high !== null && value > range.high) return 'above';
  return 'within';
}

/** The scale around a range and value(s): a quarter of the span of margin on each side. */
function domain(values: number[]): [number, number] {
  const a = Math.min(...values);
  const b = Math.max(...values);
  const span = b - a || Math.abs(b) || 1;
  return [a - span * 0.25, b + span * 0.25];
}

/**
 * Round values for a value axis inside [min, max]: the finest step of 1, 2, 2.5 or 5 times a
 * power of ten that gives at most `most` of them (an HbA1c axis reads 4, 5, 6, 7, not 3.76, 5.2, 6.64).
 */
export function niceTicks(min: number, max: number, most = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [];
  const magnitude = 10 ** Math.floor(Math.log10((max - min) / most));
  const steps = [1, 2, 2.5, 5, 10, 20, 25, 50].map((f) => f * magnitude);
  const countFor = (step: number) => Math.floor(max / step + 1e-9) - Math.ceil(min / step - 1e-9) + 1;
  const step = steps.find((s) => countFor(s) <= most) ?? steps[steps.length - 1]!;
  // Rounded to the step's own precision, so 0.1 + 0.2 does not print as 0.30000000000000004.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toFixed(digits)));
  return ticks;
}

/** The range bar for one numeric value with a usual range; null when either is missing. */
export function rangeBar(rc: RenderContext, v: Pick<ValueView, 'numeric' | 'range' | 'display' | 'unit'>, id: string): SafeHtml | null {
  const range = v.range;
  if (v.numeric === null || range === null || (range.low === null && range.high === null)) return null;
  const value = v.numeric;
  const [min, max] = domain([value, ...[range.low, range.high].filter((x): x is number => x !== null)]);
  const W = 200;
  const x = (n: number) => ((n - min) / (max - min)) * W;
  const bandFrom = x(range.low ?? min);
  const bandTo = x(range.high ?? max);
  const place = placeInRange(value, range);
  const valueText = `${v.display ?? numberText(value, rc.locale)}${v.unit ? ` ${v.unit}` : ''}`;
  const placeWords = place === 'below' ? rc.t.placeBelow : place === 'above' ? rc.t.placeAbove : rc.t.placeWithin;
  const mx = Math.min(W - 4, Math.max(4, x(value)));
  return html`<svg class="range-bar place-${place}" viewBox="0 0 ${W} 28" width="${W}" height="28" role="img" aria-labelledby="${id}-t ${id}-d">
<title id="${id}-t">${rc.t.usualRange}</title>
<desc id="${id}-d">${rc.t.rangeBarDesc(valueText, range.text, placeWords)}</desc>
<rect class="rb-track" x="0" y="10" width="${W}" height="8" rx="4"/>
<rect class="rb-band" x="${fmt(bandFrom)}" y="10" width="${fmt(Math.max(2, bandTo - bandFrom))}" height="8"/>
<path class="rb-marker" d="M${fmt(mx - 6)} 2 L${fmt(mx + 6)} 2 L${fmt(mx)} 12 Z"/>
<rect class="rb-marker" x="${fmt(mx - 1.5)}" y="10" width="3" height="16"/>
</svg>`;
}

/** A trend line for one test with its usual range as a band, axis labels, points and a data table. */
export function trendChart(rc: RenderContext, series: TrendSeries, range: Pick<RangeView, 'low' | 'high' | 'text'> | null, id: string): SafeHtml {
  const { t } = rc;
  // A narrow canvas keeps the labels readable when the chart shrinks to a 360 px screen.
  const W = 400;
  const H = 240;
  const left = 58;
  const right = 14;
  const top = 12;
  const bottom = 50;
  const points = series.points.map((p) => ({ ...p, ms: toMillis(p.at) }));
  const values = points.map((p) => p.value);
  const bandValues = range ? [range.low, range.high].filter((x): x is number => x !== null) : [];
  const [yMin, yMax] = domain([...values, ...bandValues]);
  const times = points.map((p) => p.ms);
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const x = (p: { ms: number }, i: number) =>
    left + (tMax === tMin ? (i / Math.max(1, points.length - 1)) * (W - left - right) : ((p.ms - tMin) / (tMax - tMin)) * (W - left - right));
  const y = (v: number) => top + (1 - (v - yMin) / (yMax - yMin)) * (H - top - bottom);
  const unitOf = (u: string | null) => u ?? series.unit;
  const valueText = (v: number, u: string | null) => `${numberText(v, rc.locale)}${unitOf(u) ? ` ${unitOf(u)}` : ''}`;
  const day = (at: string) => calendarDay(at, rc.locale, rc.timeZone, 'short')?.label ?? at;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const desc = `${t.trendDesc(points.length, day(first.at), day(last.at), valueText(lo, series.unit), valueText(hi, series.unit))}${range ? t.trendRange(range.text) : ''}`;
  const ticks = niceTicks(yMin, yMax);
  const band =
    range && (range.low !== null || range.high !== null)
      ? raw(
          `<rect class="trend-band" x="${left}" y="${fmt(y(range.high ?? yMax))}" width="${W - left - right}" height="${fmt(Math.max(1, y(range.low ?? yMin) - y(range.high ?? yMax)))}"/>`,
        )
      : null;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(p, i))} ${fmt(y(p.value))}`).join(' ');
  const xLabels = points.length > 2 ? [0, points.length - 1] : [0, 1];
  const svg = html`<svg class="trend-chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${id}-t">${t.trendTitle(series.name)}</title>
<desc id="${id}-d">${desc}</desc>
${band}
<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}"/>
<line class="axis" x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}"/>
${ticks.map((v) => html`<line class="grid" x1="${left}" y1="${fmt(y(v))}" x2="${W - right}" y2="${fmt(y(v))}"/><text class="tick" x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${numberText(v, rc.locale)}</text>`)}
${xLabels.map((i) => {
  const p = points[i]!;
  return html`<text class="tick" x="${fmt(x(p, i))}" y="${H - bottom + 20}" text-anchor="${i === 0 ? 'start' : 'end'}">${day(p.at)}</text>`;
})}
<text class="axis-title" x="${fmt(left + (W - left - right) / 2)}" y="${H - 6}" text-anchor="middle">${t.trendAxisDate}</text>
<text class="axis-title" x="${-(top + (H - top - bottom) / 2)}" y="15" transform="rotate(-90)" text-anchor="middle">${t.trendAxisValue(series.unit)}</text>
<path class="trend-line" d="${path}"/>
${points.map((p, i) => {
  const place = range ? placeInRange(p.value, { low: range.low, high: range.high }) : 'within';
  const cx = fmt(x(p, i));
  const cy = fmt(y(p.value));
  // Out-of-range points are diamonds, in-range points circles: shape, not only colour.
  return place === 'within'
    ? raw(`<circle class="trend-point" cx="${cx}" cy="${cy}" r="4.5"/>`)
    : raw(`<path class="trend-point out" d="M${cx} ${fmt(Number(cy) - 7)} L${fmt(Number(cx) + 7)} ${cy} L${cx} ${fmt(Number(cy) + 7)} L${fmt(Number(cx) - 7)} ${cy} Z"/>`);
})}
</svg>`;
  const table = html`<div class="table-wrap" role="region" aria-labelledby="${id}-caption" tabindex="0"><table class="data-table">
<caption id="${id}-caption">${t.trendTable(series.name)}</caption>
<thead><tr><th scope="col">${t.trendDate}</th><th scope="col">${t.trendValue}</th>${range ? html`<th scope="col">${t.comparedToRange}</th>` : null}</tr></thead>
<tbody>${points.map((p) => {
    const place = range ? placeInRange(p.value, { low: range.low, high: range.high }) : null;
    return html`<tr><th scope="row"><time datetime="${p.at}">${day(p.at)}</time></th><td>${valueText(p.value, p.unit)}</td>${
      range ? html`<td>${place === 'below' ? t.placeBelow : place === 'above' ? t.placeAbove : t.placeWithin}</td>` : null
    }</tr>`;
  })}</tbody></table></div>`;
  return html`<figure class="trend" aria-labelledby="${id}-fig"><figcaption id="${id}-fig"><h3>${series.name}</h3></figcaption>${svg}${table}</figure>`;
}
