import type { Feature, FeatureAvailability } from '../smart/scopes.js';
import type { Messages } from './i18n/index.js';
import type { UiLocale } from './locale.js';

/** What every render function gets besides its view model. */
export interface RenderContext {
  t: Messages;
  locale: UiLocale;
  /** The patient's time zone (the registration's), for calendar days. */
  timeZone: string;
}

/** The page frame: who is signed in, for whom, and the clinic's branding. No PHI beyond names. */
export interface Chrome {
  clinicName: string;
  /** Same-origin logo only (CSP img-src 'self'); null shows the name alone. */
  logoUrl: string | null;
  supportPhone: string | null;
  /** The EHR's display name, for "cannot reach <EHR>" messages. */
  ehrName: string;
  patientName: string | null;
  patientBirthDate: string | null;
  viewer: { kind: 'patient' | 'proxy' | 'staff'; name: string | null; relationship: string | null };
  needPatientBanner: boolean;
  csrfToken: string;
  /** The current path and query, for the language switch's way back. */
  path: string;
  /** Opaque per-record key for drafts kept in the browser (no identifier in it). */
  draftScope: string;
  /** `/theme.css?v=…` when the session has colours to apply. */
  themeHref: string | null;
  features: Record<Feature, FeatureAvailability>;
}

export type NavKey = 'home' | 'messages' | 'appointments' | 'results' | 'documents' | 'activity';
