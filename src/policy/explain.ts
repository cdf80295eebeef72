/**
 * Plain-language explanations for the viewer. They name the date when there is one and never
 * the test: the same words are shown for a pending item whose name is itself private.
 */
import type { Locale } from './types.js';

export type ExplanationKey =
  | 'release'
  | 'delay'
  | 'hold'
  | 'hold-max'
  | 'withhold'
  | 'mask'
  | 'absent'
  | 'unchecked';

type Words = Record<ExplanationKey, string> & { note: string; nouns: { result: string; document: string } };

const WORDS: Record<Locale, Words> = {
  en: {
    nouns: { result: 'result', document: 'document' },
    release: 'This {noun} is available.',
    delay: 'Your care team has time to review this {noun} with you first. It will be available by {date}, or sooner if your clinician releases it.',
    hold: 'Your care team will review this {noun} with you first. It will be available once your clinician releases it.',
    'hold-max': 'Your care team will review this {noun} with you first. It will be available once your clinician releases it, and by {date} at the latest.',
    withhold: 'Your clinician has asked to talk with you about this {noun} before it is shown. It will be available once your clinician releases it.',
    mask: 'This {noun} is preliminary and may change. It will be shown when it is final or when your clinician releases it.',
    absent: 'Not available.',
    unchecked: 'This {noun} is being checked before it is shown. Contact your care team if you have questions.',
    note: 'Your clinician may not have reviewed this {noun} yet. If you have questions, contact your care team.',
  },
  es: {
    nouns: { result: 'resultado', document: 'documento' },
    release: 'Este {noun} está disponible.',
    delay: 'Su equipo de atención tiene tiempo para revisar este {noun} con usted primero. Estará disponible a más tardar el {date}, o antes si su médico lo libera.',
    hold: 'Su equipo de atención revisará este {noun} con usted primero. Estará disponible cuando su médico lo libere.',
    'hold-max': 'Su equipo de atención revisará este {noun} con usted primero. Estará disponible cuando su médico lo libere, y a más tardar el {date}.',
    withhold: 'Su médico ha pedido hablar con usted sobre este {noun} antes de mostrarlo. Estará disponible cuando su médico lo libere.',
    mask: 'Este {noun} es preliminar y puede cambiar. Se mostrará cuando sea definitivo o cuando su médico lo libere.',
    absent: 'No disponible.',
    unchecked: 'Este {noun} se está revisando antes de mostrarse. Comuníquese con su equipo de atención si tiene preguntas.',
    note: 'Es posible que su médico aún no haya revisado este {noun}. Si tiene preguntas, comuníquese con su equipo de atención.',
  },
};

export type Noun = 'result' | 'document';

export function fill(template: string, locale: Locale, noun: Noun, date?: string): string {
  return template.replaceAll('{noun}', WORDS[locale].nouns[noun]).replaceAll('{date}', date ?? '');
}

const KEYS = Object.keys(WORDS.en).filter((k): k is ExplanationKey => k !== 'nouns' && k !== 'note');

function undated(locale: Locale, noun: Noun): Record<ExplanationKey, string> {
  const out = {} as Record<ExplanationKey, string>;
  for (const k of KEYS) out[k] = fill(WORDS[locale][k], locale, noun);
  return out;
}

/** The undated sentences, filled in once: a record of hundreds of results asks for the same few. */
const UNDATED: Record<Locale, Record<Noun, Record<ExplanationKey, string>>> = {
  en: { result: undated('en', 'result'), document: undated('en', 'document') },
  es: { result: undated('es', 'result'), document: undated('es', 'document') },
};

export function explain(key: ExplanationKey, locale: Locale, noun: Noun, date?: string): string {
  return date === undefined ? UNDATED[locale][noun][key] : fill(WORDS[locale][key], locale, noun, date);
}

export function defaultNote(locale: Locale, noun: Noun): string {
  return fill(WORDS[locale].note, locale, noun);
}
