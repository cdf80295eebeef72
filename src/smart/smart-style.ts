import { z } from 'zod';
import type { EhrRegistration } from '../config/registration.js';

/** The colour members of a SMART style (SMART App Launch "smart_style_url"); anything else is dropped. */
const styleSchema = z.looseObject({
  color_background: z.string().optional(),
  color_error: z.string().optional(),
  color_highlight: z.string().optional(),
  color_modal_backdrop: z.string().optional(),
  color_success: z.string().optional(),
  color_text: z.string().optional(),
});

const HEX = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;
const MAX_BYTES = 16 * 1024;

/**
 * Reads the EHR's style JSON server-side, so pages need no remote stylesheet. Only URLs on the EHR's
 * own origin are fetched (the token response must not steer the server to other hosts), with a
 * timeout and a size cap; only hex colours are kept. Any failure means "no style", never an error.
 */
export async function fetchSmartStyle(url: string | undefined, reg: EhrRegistration, fetchImpl: typeof fetch = fetch): Promise<Record<string, string> | undefined> {
  if (!url) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const allowed = [reg.fhirBaseUrl, ...reg.issuerAliases].map((u) => new URL(u).origin);
  if (!allowed.includes(target.origin)) return undefined;
  try {
    const res = await fetchImpl(target, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(3000), redirect: 'error' });
    if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) return undefined;
    const text = await res.text();
    if (text.length > MAX_BYTES) return undefined;
    const parsed = styleSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const colours: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.data)) if (k.startsWith('color_') && typeof v === 'string' && HEX.test(v)) colours[k] = v;
    return Object.keys(colours).length ? colours : undefined;
  } catch {
    return undefined;
  }
}
