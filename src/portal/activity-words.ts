import type { ActivityItem } from '../audit/audit-record.js';
import type { PortalSession } from '../smart/sessions.js';

type Locale = 'en' | 'es';

const WHAT: Record<string, { en: string; es: string }> = {
  Communication: { en: 'messages', es: 'mensajes' },
  Appointment: { en: 'appointments', es: 'citas' },
  DiagnosticReport: { en: 'test results', es: 'resultados' },
  Observation: { en: 'test results', es: 'resultados' },
  DocumentReference: { en: 'documents', es: 'documentos' },
  Patient: { en: 'the summary page', es: 'la página de resumen' },
  AuditEvent: { en: 'account activity', es: 'la actividad de la cuenta' },
  Consent: { en: 'the choices about results', es: 'las opciones sobre los resultados' },
};

function who(item: ActivityItem, locale: Locale, session: PortalSession): string {
  if (item.who.kind === 'patient') return session.viewer.kind === 'patient' ? (locale === 'es' ? 'Usted' : 'You') : locale === 'es' ? 'El paciente' : 'The patient';
  if (item.who.kind === 'proxy') return item.who.name ?? (locale === 'es' ? 'Una persona autorizada' : 'A person you authorised');
  if (item.who.kind === 'staff') return item.who.name ?? (locale === 'es' ? 'Personal de la clínica' : 'Clinic staff');
  return locale === 'es' ? 'El portal' : 'The portal';
}

/** One line of account activity in plain words, e.g. "Linh Nguyen viewed test results". */
export function describeActivity(item: ActivityItem, locale: Locale, session: PortalSession): string {
  const w = who(item, locale, session);
  const what = item.resourceType ? WHAT[item.resourceType]?.[locale] ?? item.resourceType : '';
  switch (item.action) {
    case 'signin':
      return locale === 'es' ? `${w}: inicio de sesión` : `${w} signed in`;
    case 'signout':
      return locale === 'es' ? `${w}: cierre de sesión` : `${w} signed out`;
    case 'read':
      return locale === 'es' ? `${w} vio ${what}` : `${w} viewed ${what}`;
    case 'write':
      return locale === 'es' ? `${w} envió ${what}` : `${w} sent ${what}`;
    case 'release_preferences':
      return locale === 'es' ? `${w} cambió las opciones sobre los resultados` : `${w} changed the choices about results`;
    case 'staff_release':
      return locale === 'es' ? `${w} publicó un resultado` : `${w} released a result`;
    case 'staff_hold':
      return locale === 'es' ? `${w} retuvo un resultado` : `${w} held a result for review`;
    default:
      return `${w}: ${item.action.replace(/_/g, ' ')}`;
  }
}
