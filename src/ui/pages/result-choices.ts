import type { ReleaseChoices } from '../../portal/release-choices.js';
import { html, type SafeHtml } from '../html.js';
import { flash } from '../layout.js';
import type { Chrome, RenderContext } from '../render-context.js';
import { csrfField } from './forms.js';

/** Where the patient chooses how some results reach them (the release policy reads these choices). */
export function renderResultChoices(rc: RenderContext, chrome: Chrome, choices: ReleaseChoices, notice: string | null): { title: string; body: SafeHtml } {
  const { t } = rc;
  const box = (name: keyof ReleaseChoices, label: string, hint: string) =>
    html`<div class="field checkbox"><input type="checkbox" id="${name}" name="${name}" value="on"${choices[name] ? ' checked' : ''} aria-describedby="${name}-hint">
<label for="${name}">${label}</label><p class="hint" id="${name}-hint">${hint}</p></div>`;
  return {
    title: t.choicesTitle,
    body: html`${flash(notice)}<p>${t.choicesIntro}</p>
<form method="post" action="/result-choices" class="form">
${csrfField(chrome)}
<fieldset><legend>${t.choicesLegend}</legend>
${box('waitForClinician', t.choiceWait, t.choiceWaitHint)}
${box('geneticEarlyRelease', t.choiceGenetic, t.choiceGeneticHint)}
</fieldset>
<button type="submit">${t.saveChoices}</button>
</form>
<p><a href="/results">${t.goToResults}</a></p>`,
  };
}
