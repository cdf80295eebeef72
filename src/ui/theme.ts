/**
 * Per-session colours as a tiny stylesheet (`/theme.css?v=<hash>`), so no inline style is needed
 * (CSP style-src 'self'). Sources: the EHR's SMART style (smart_style_url JSON, which the session
 * layer reads at sign-in into the session) and the registration's `primaryColor`.
 * Only #rgb/#rrggbb colours are accepted, so nothing else can reach the CSS; a colour that would
 * fail WCAG AA contrast (4.5:1) against what it is drawn with is dropped and the default kept.
 * Spec: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#styling
 */
import { createHash } from 'node:crypto';
import { SmartStyleSchema, type SmartStyle } from '../smart/smart-style.js';

export interface ThemeColours {
  primary?: string;
  background?: string;
  text?: string;
  error?: string;
  success?: string;
}

const WHITE = '#ffffff';
const DEFAULT_TEXT = '#1f2933';
const DEFAULT_BACKGROUND = '#ffffff';

function rgb(colour: string): [number, number, number] {
  const h = colour.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2.1 relative luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
export function contrastRatio(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const AA = 4.5;

/** The colours to apply: SMART style first (it matches the EHR the page sits in), then the registration. */
export function themeColours(style: unknown, primaryColor: string | undefined): ThemeColours {
  const parsed = SmartStyleSchema.safeParse(style ?? {});
  const s: SmartStyle = parsed.success ? parsed.data : {};
  const out: ThemeColours = {};
  let background = DEFAULT_BACKGROUND;
  let text = DEFAULT_TEXT;
  if (s.color_background && s.color_text && contrastRatio(s.color_background, s.color_text) >= AA) {
    background = s.color_background;
    text = s.color_text;
    out.background = background;
    out.text = text;
  }
  // Primary fills buttons (white text) and colours links (on the background): both must pass.
  for (const candidate of [s.color_highlight, primaryColor]) {
    if (candidate && contrastRatio(candidate, WHITE) >= AA && contrastRatio(candidate, background) >= AA) {
      out.primary = candidate;
      break;
    }
  }
  if (s.color_error && contrastRatio(s.color_error, background) >= AA) out.error = s.color_error;
  if (s.color_success && contrastRatio(s.color_success, background) >= AA) out.success = s.color_success;
  return out;
}

export function themeCss(c: ThemeColours): string {
  const vars = [
    c.primary && `--primary: ${c.primary};`,
    c.background && `--bg: ${c.background};`,
    c.text && `--text: ${c.text};`,
    c.error && `--error: ${c.error};`,
    c.success && `--success: ${c.success};`,
  ].filter(Boolean);
  return vars.length === 0 ? '' : `:root { ${vars.join(' ')} }\n`;
}

/** A short content hash for the stylesheet URL, or null when there is nothing to apply. */
export function themeVersion(c: ThemeColours): string | null {
  const css = themeCss(c);
  return css === '' ? null : createHash('sha256').update(css).digest('hex').slice(0, 12);
}
