import type { ContactPoint, Patient, RelatedPerson } from 'fhir/r4.js';
import type { ContactDetails, NotifyLocale } from './types.js';

const active = (c: ContactPoint, now: Date) => Boolean(c.value) && c.use !== 'old' && !(c.period?.end && Date.parse(c.period.end) < now.getTime());

/** Lowest `rank` first (FHIR: 1 = highest preference); unranked after ranked. */
function byRank(a: ContactPoint, b: ContactPoint): number {
  return (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Email, a number that takes text messages (system `sms`, else a mobile `phone`) and the
 * preferred language, from a Patient's or RelatedPerson's record.
 */
export function contactFrom(person: Pick<Patient | RelatedPerson, 'telecom' | 'communication'> | undefined, now: Date): ContactDetails {
  const telecom = (person?.telecom ?? []).filter((c) => active(c, now)).sort(byRank);
  const email = telecom.find((t) => t.system === 'email')?.value;
  const sms = telecom.find((t) => t.system === 'sms')?.value ?? telecom.find((t) => t.system === 'phone' && t.use === 'mobile')?.value;
  const locale = localeFrom(person?.communication);
  return { ...(email ? { email } : {}), ...(sms ? { sms } : {}), ...(locale ? { locale } : {}) };
}

/** The preferred language when it is one the notifications are written in. */
export function localeFrom(communication: Patient['communication'] | undefined): NotifyLocale | undefined {
  const list = communication ?? [];
  const pick = list.find((c) => c.preferred) ?? list[0];
  const codes = (pick?.language?.coding ?? []).map((c) => c.code ?? '').concat(pick?.language?.text ? [pick.language.text] : []);
  for (const code of codes) {
    const lang = code.toLowerCase().split(/[-_]/)[0];
    if (lang === 'es' || lang === 'spanish' || lang === 'español') return 'es';
    if (lang === 'en' || lang === 'english') return 'en';
  }
  return undefined;
}
