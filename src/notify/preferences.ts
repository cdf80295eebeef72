import { z } from 'zod';
import { CHANNELS, TOPICS, type Channel, type ContactDetails, type EventTopic } from './types.js';

/** A viewer's saved choices. Absent fields fall back to the clinic defaults. */
export interface SavedPreferences {
  channels?: Partial<Record<Channel, { enabled?: boolean; address?: string }>>;
  events?: Partial<Record<EventTopic, boolean>>;
}

export interface ClinicDefaults {
  channels: readonly Channel[];
  events: readonly EventTopic[];
}

export interface EffectiveChannel {
  enabled: boolean;
  /** Where it goes: the viewer's override, else the FHIR record's address; null when none is known. */
  address: string | null;
  source: 'override' | 'record' | 'none';
}

export interface EffectivePreferences {
  channels: Record<Channel, EffectiveChannel>;
  events: Record<EventTopic, boolean>;
  /** True once the viewer has saved their own choices. */
  saved: boolean;
}

const email = z.email('must be an email address').max(254);
const sms = z.string().trim().regex(/^\+?[0-9][0-9 ().-]{6,19}$/, 'must be a phone number that can receive text messages');

const channelPatch = (address: z.ZodType<string>) =>
  z.strictObject({
    enabled: z.boolean('must be true or false').optional(),
    /** null removes the override (the record's address applies again). */
    address: address.nullable().optional(),
  });

/** PUT /api/notification-preferences: any subset; fields not sent keep their value. */
export const preferencesPatchSchema = z.strictObject({
  channels: z
    .strictObject({ email: channelPatch(email).optional(), 'sms-webhook': channelPatch(sms).optional() })
    .optional(),
  events: z
    .strictObject({
      messages: z.boolean('must be true or false').optional(),
      results: z.boolean('must be true or false').optional(),
      appointments: z.boolean('must be true or false').optional(),
      'delivery-problems': z.boolean('must be true or false').optional(),
    })
    .optional(),
});
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;

/** Applies a patch to saved preferences (pure); `address: null` drops the override. */
export function applyPatch(saved: SavedPreferences, patch: PreferencesPatch): SavedPreferences {
  const channels: NonNullable<SavedPreferences['channels']> = { ...(saved.channels ?? {}) };
  for (const c of CHANNELS) {
    const p = patch.channels?.[c];
    if (!p) continue;
    const next = { ...(channels[c] ?? {}) };
    if (p.enabled !== undefined) next.enabled = p.enabled;
    if (p.address === null) delete next.address;
    else if (p.address !== undefined) next.address = p.address;
    channels[c] = next;
  }
  return { channels, events: { ...(saved.events ?? {}), ...(patch.events ?? {}) } };
}

const recordAddress = (c: Channel, contact: ContactDetails | undefined) => (c === 'email' ? contact?.email : contact?.sms);

/** What applies now: saved choices over clinic defaults; addresses from the override or the record. */
export function effectivePreferences(saved: SavedPreferences | undefined, defaults: ClinicDefaults, contact: ContactDetails | undefined, available: ReadonlySet<Channel>): EffectivePreferences {
  const channels = {} as Record<Channel, EffectiveChannel>;
  for (const c of CHANNELS) {
    const own = saved?.channels?.[c];
    const fromRecord = recordAddress(c, contact);
    const address = own?.address ?? fromRecord ?? null;
    channels[c] = {
      // A channel the deployment has not set up is off, whatever was saved.
      enabled: available.has(c) && (own?.enabled ?? defaults.channels.includes(c)),
      address,
      source: own?.address ? 'override' : fromRecord ? 'record' : 'none',
    };
  }
  const events = {} as Record<EventTopic, boolean>;
  for (const t of TOPICS) events[t] = saved?.events?.[t] ?? defaults.events.includes(t);
  return { channels, events, saved: saved !== undefined };
}

/** Channels a new event of this topic goes out on (the address is resolved at send time). */
export function channelsFor(topic: EventTopic, saved: SavedPreferences | undefined, defaults: ClinicDefaults, available: ReadonlySet<Channel>): Channel[] {
  if (!(saved?.events?.[topic] ?? defaults.events.includes(topic))) return [];
  return CHANNELS.filter((c) => available.has(c) && (saved?.channels?.[c]?.enabled ?? defaults.channels.includes(c)));
}
