import type { ActivityList } from '../../portal/portal.js';
import { html, type SafeHtml } from '../html.js';
import type { Chrome, RenderContext } from '../render-context.js';

function who(rc: RenderContext, chrome: Chrome, w: ActivityList['items'][number]['who']): string {
  const kinds = rc.t.whoKinds as Record<string, string>;
  const kind = kinds[w.kind] ?? w.kind;
  if (w.kind === 'patient') return w.name ?? chrome.patientName ?? kind;
  return w.name ? `${w.name} (${kind.toLowerCase()})` : kind;
}

export function renderActivity(rc: RenderContext, chrome: Chrome, list: ActivityList): { title: string; body: SafeHtml } {
  const { t } = rc;
  const outcomes = t.outcomes as Record<string, string>;
  const rows = list.items.map(
    // data-label: the column's name, shown beside each value when the rows stack on a narrow screen.
    (a) => html`<tr>
<td data-label="${t.activityWhen}"><time datetime="${a.at}">${a.atDisplay}</time></td>
<td data-label="${t.activityWhat}">${a.description}</td>
<td data-label="${t.activityWho}">${who(rc, chrome, a.who)}</td>
<td data-label="${t.activityDevice}">${a.device ?? '—'}</td>
<td data-label="${t.activityOutcome}">${outcomes[a.outcome] ?? a.outcome}</td>
</tr>`,
  );
  return {
    title: t.activityTitle,
    body: html`<p>${list.scope === 'viewer' ? t.activityIntroOwn : t.activityIntro}</p>${
      list.items.length === 0
        ? html`<p>${t.noActivity}</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="activity-caption" tabindex="0"><table class="data-table activity">
<caption id="activity-caption">${t.activityCaption}</caption>
<thead><tr><th scope="col">${t.activityWhen}</th><th scope="col">${t.activityWhat}</th><th scope="col">${t.activityWho}</th><th scope="col">${t.activityDevice}</th><th scope="col">${t.activityOutcome}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    }${list.older !== null ? html`<p><a class="button-secondary" href="/activity?before=${String(list.older)}">${t.olderActivity}</a></p>` : null}`,
  };
}
