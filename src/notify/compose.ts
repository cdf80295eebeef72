import type { Channel, EventKind, NotifyLocale } from './types.js';

/**
 * The words of a notification. Email and SMS are not secure channels (45 CFR 164.522 lets a
 * patient ask for confidential communications), so nothing here names a person, a test, a
 * condition, a value or a message's text: only that something is waiting, the clinic, and where
 * to sign in.
 */
export interface ComposeInput {
  kinds: readonly EventKind[];
  clinicName: string;
  portalUrl: string;
  supportPhone?: string;
  locale: NotifyLocale;
  channel: Channel;
}

type Words = { subject: string; line: string };

const WORDS: Record<NotifyLocale, Record<EventKind | 'digest', (clinic: string) => Words> & { signIn: string; signInMany: string; call: (phone: string) => string; footer: string }> = {
  en: {
    message: (c) => ({ subject: `New message from ${c}`, line: `You have a new message from ${c}.` }),
    result: (c) => ({ subject: `New result from ${c}`, line: `A new result from ${c} is ready for you to see.` }),
    appointment: (c) => ({ subject: `Upcoming appointment with ${c}`, line: `You have an upcoming appointment with ${c}.` }),
    write: (c) => ({ subject: `Something you sent to ${c} is still on its way`, line: `Something you sent to ${c} has not reached the clinic yet. We keep trying.` }),
    digest: (c) => ({ subject: `New items waiting from ${c}`, line: `You have new items waiting from ${c}.` }),
    signIn: 'Sign in to see it',
    signInMany: 'Sign in to see them',
    call: (phone) => `If it is urgent, call the clinic at ${phone}.`,
    footer: 'For your privacy, this notice does not include any details.',
  },
  es: {
    message: (c) => ({ subject: `Nuevo mensaje de ${c}`, line: `Tiene un mensaje nuevo de ${c}.` }),
    result: (c) => ({ subject: `Nuevo resultado de ${c}`, line: `Un resultado nuevo de ${c} está listo para usted.` }),
    appointment: (c) => ({ subject: `Próxima cita con ${c}`, line: `Tiene una próxima cita con ${c}.` }),
    write: (c) => ({ subject: `Algo que envió a ${c} sigue en camino`, line: `Algo que envió a ${c} todavía no ha llegado a la clínica. Seguimos intentándolo.` }),
    digest: (c) => ({ subject: `Tiene novedades de ${c}`, line: `Tiene novedades esperándole de ${c}.` }),
    signIn: 'Inicie sesión para verlo',
    signInMany: 'Inicie sesión para verlos',
    call: (phone) => `Si es urgente, llame a la clínica al ${phone}.`,
    footer: 'Por su privacidad, este aviso no incluye detalles.',
  },
};

/** One event → its own words; several (a digest) → "new items waiting". */
export function compose(input: ComposeInput): { subject: string; text: string } {
  const w = WORDS[input.locale];
  const distinct = [...new Set(input.kinds)];
  const key: EventKind | 'digest' = input.kinds.length === 1 ? input.kinds[0]! : 'digest';
  const { subject, line } = w[key](input.clinicName);
  const urgent = distinct.includes('write') && input.supportPhone ? ` ${w.call(input.supportPhone)}` : '';
  const signIn = key === 'digest' ? w.signInMany : w.signIn;
  if (input.channel === 'sms-webhook') return { subject, text: `${line}${urgent} ${signIn}: ${input.portalUrl}` };
  return { subject, text: `${line}${urgent}\n\n${signIn}: ${input.portalUrl}\n\n${w.footer}\n` };
}
