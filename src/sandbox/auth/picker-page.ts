import { escapeHtml } from '../../http/html.js';
import type { SandboxPatient } from '../types.js';

/**
 * Standalone-launch sign-in: one small form per person (patient or proxy), posted back to the
 * interaction URL. No script, no inline style, so it renders under a strict CSP.
 */
export function pickerPage(action: string, patients: readonly SandboxPatient[]): string {
  const form = (patientId: string, label: string, userId?: string) => `
    <form method="post" action="${escapeHtml(action)}">
      <input type="hidden" name="patient" value="${escapeHtml(patientId)}">
      ${userId ? `<input type="hidden" name="user" value="${escapeHtml(userId)}">` : ''}
      <label><input type="checkbox" name="mfa" value="1" checked> signed in with a second factor</label>
      <button type="submit">${escapeHtml(label)}</button>
    </form>`;
  const items = patients
    .map(
      (p) => `
    <li>
      ${form(p.id, `Sign in as ${p.name}`)}
      ${p.proxies.length ? '<ul>' : ''}
      ${p.proxies
        .map((r) => `<li>${form(p.id, `Sign in as ${r.name} (${r.relationship} of ${p.name})`, r.id)}</li>`)
        .join('')}
      ${p.proxies.length ? '</ul>' : ''}
    </li>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sandbox EHR sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
  <h1>Sandbox EHR sign-in</h1>
  <p>Development EHR: pick who signs in. No password is asked.</p>
  <ul>${items}</ul>
</main>
</body>
</html>`;
}
