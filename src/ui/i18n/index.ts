import type { UiLocale } from '../locale.js';
import { en } from './en.js';
import { es } from './es.js';
import type { Messages } from './messages.js';

export type { Messages } from './messages.js';

const CATALOGUES: Record<UiLocale, Messages> = { en, es };

export const messagesFor = (locale: UiLocale): Messages => CATALOGUES[locale];
