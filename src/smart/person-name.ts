import type { HumanName } from 'fhir/r4.js';

/** A person's display name from FHIR HumanName (the `official`/`usual` one first). */
export function displayName(names: HumanName[] | undefined): string | undefined {
  if (!names?.length) return undefined;
  const pick = names.find((n) => n.use === 'usual') ?? names.find((n) => n.use === 'official') ?? names[0]!;
  if (pick.text) return pick.text;
  const parts = [...(pick.given ?? []), pick.family].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
