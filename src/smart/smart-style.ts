import { z } from 'zod';
import type { EhrRegistration } from '../config/registration.js';

const hex = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/);
/**
 * The part of a SMART style document (SMART App Launch "smart_style_url") the portal uses: the
 * colours it themes with, as #rgb or #rrggbb only, so nothing else can reach the CSS. A missing or
 * malformed member is dropped on its own, never an error; other members are ignored.
 */
export const SmartStyleSchema = z.object({
  color_background: hex.optional().catch(undefined),
  color_text: hex.optional().catch(undefined),
  color_highlight: hex.optional().catch(undefined),
  color_error: hex.optional().catch(undefined),
  color_success: hex.optional().catch(undefined),
});
export type SmartStyle = z.infer<typeof SmartStyleSchema>;
const MAX_BYTES = 16 * 1024;

/**
 * Reads the EHR's style JSON server-side, so pages need no remote stylesheet. Only URLs on the EHR's
 * own origin are fetched (the token response must not steer the server to other hosts), with a
 * timeout and a size cap; only the hex colours of SmartStyleSchema are kept. Any failure means "no style", never an error.
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
    const parsed = SmartStyleSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const colours: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) colours[k] = v;
    return Object.keys(colours).length ? colours : undefined;
  } catch {
    return undefined;
  }
}
