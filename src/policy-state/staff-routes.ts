import Router from '@koa/router';
import { z } from 'zod';
import type { AppServices } from '../services.js';
import type { Guards } from '../http/guards.js';
import { AppError } from '../http/errors.js';
import { fhirForSession } from '../fhir/for-session.js';
import { loadClinicalRecords } from '../portal/clinical-records.js';
import { portalCall } from '../portal/portal-call.js';
import type { Context } from 'koa';
import { escapeHtml } from '../http/html.js';
import { simplePage } from '../http/simple-page.js';
import { conceptText } from '../views/names.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

const actionBody = z.object({ reason: z.string().trim().min(3, 'Give a short reason (it is kept in the audit trail).').max(1000) });

/**
 * What the patient (not the clinician) would be shown now: the same reads and the same decision
 * as the patient's own results and documents pages, decided for the patient as viewer.
 */
async function patientView(s: AppServices, ctx: Context) {
  const call = portalCall(ctx, s);
  const rec = await loadClinicalRecords(call, fhirForSession(s, call.session), { reports: true, documents: true }, { kind: 'patient', id: call.session.patientId });
  return { outcome: rec.outcome, reports: rec.allReports };
}

/**
 * The clinician side of the release policy: staff (signed in through an EHR launch with a
 * Practitioner fhirUser, in a patient's context) list that patient's held results and release or
 * hold one, with a reason. Every action is audited.
 */
export function staffRoutes(s: AppServices, g: Guards): Router {
  const r = new Router({ prefix: '/staff' });

  async function resultsFor(ctx: Context) {
    const session = ctx.state.session!;
    const { outcome, reports } = await patientView(s, ctx);
    const items = reports.map((rep) => {
      const d = outcome.decisions.get(`DiagnosticReport/${rep.id}`);
      return {
        id: rep.id,
        title: conceptText(rep.code) ?? 'Result',
        issued: rep.issued ?? null,
        status: rep.status,
        patientSees: d ? d.presence : 'pending',
        action: d?.action ?? 'hold_until_released',
        ruleId: d?.ruleId ?? 'fail-closed',
        basis: d?.basis ?? null,
        releaseAt: d?.releaseAt?.toISOString() ?? null,
      };
    });
    await s.audit.record({ actor: { kind: 'staff', id: session.viewer.id }, ehrId: session.ehrId, patientId: session.patientId, action: 'read', resourceType: 'DiagnosticReport', outcome: 'success', ip: ctx.ip, userAgent: ctx.get('user-agent'), requestId: ctx.state.requestId });
    return items;
  }

  r.get('/results', ...g.staff, async (ctx) => {
    const items = await resultsFor(ctx);
    ctx.body = { patient: { id: ctx.state.session!.patientId }, items, held: items.filter((i) => i.patientSees !== 'shown') };
  });

  // A plain page for the same: what the patient sees of each result, and release / hold with a reason.
  r.get('/', ...g.staff, async (ctx) => {
    const session = ctx.state.session!;
    const items = await resultsFor(ctx);
    const seen = { shown: 'Visible to the patient', pending: 'Held — the patient sees that a result is pending', absent: 'Hidden' } as const;
    const rows = items
      .map(
        (i) => `<tr><td>${escapeHtml(i.title)}</td><td>${escapeHtml(i.issued ?? '')}</td><td>${escapeHtml(seen[i.patientSees as keyof typeof seen] ?? i.patientSees)}${i.releaseAt ? ` (until ${escapeHtml(i.releaseAt)})` : ''}<br><span class="muted">${escapeHtml(i.ruleId)}${i.basis ? ` · ${escapeHtml(i.basis)}` : ''}</span></td>
<td>${(['release', 'hold'] as const)
          .map(
            (a) => `<form method="post" action="/staff/results/${encodeURIComponent(i.id ?? '')}/${a}"><input type="hidden" name="_csrf" value="${escapeHtml(session.secrets.csrfToken)}"><label>Reason <input name="reason" required minlength="3" maxlength="1000"></label> <button type="submit">${a === 'release' ? 'Release now' : 'Hold for review'}</button></form>`,
          )
          .join('')}</td></tr>`,
      )
      .join('');
    ctx.type = 'html';
    ctx.body = simplePage(
      'Results and their release',
      `<p>Patient <code>${escapeHtml(session.patientId)}</code>. What the patient sees of each result under the clinic's release rules; a release or hold is recorded with your reason in the audit trail.</p>
<table><caption>Results</caption><thead><tr><th scope="col">Result</th><th scope="col">Issued</th><th scope="col">Patient sees</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  });

  // The patient's audit trail as FHIR AuditEvents (BALP-style), for the clinic's compliance tools.
  r.get('/audit-events', ...g.staff, async (ctx) => {
    const session = ctx.state.session!;
    const before = Number(ctx.query.before);
    const records = await s.audit.records(session.ehrId, session.patientId, { limit: 200, ...(Number.isInteger(before) && before > 0 ? { before } : {}) });
    await s.audit.record({ actor: { kind: 'staff', id: session.viewer.id }, ehrId: session.ehrId, patientId: session.patientId, action: 'export', resourceType: 'AuditEvent', outcome: 'success', ip: ctx.ip, userAgent: ctx.get('user-agent'), requestId: ctx.state.requestId });
    ctx.type = 'application/fhir+json';
    ctx.body = { resourceType: 'Bundle', type: 'searchset', total: records.length, entry: records.map((rec) => ({ resource: s.audit.toAuditEvent(rec) })) };
  });

  for (const action of ['release', 'hold'] as const) {
    r.post(`/results/:id/${action}`, ...g.staffWrite, async (ctx) => {
      const session = ctx.state.session!;
      const id = ctx.params.id!;
      if (!FHIR_ID.test(id)) throw new AppError(404, 'result_not_found', 'No such result.');
      const parsed = actionBody.safeParse((ctx.request as { body?: unknown }).body ?? {});
      if (!parsed.success) throw new AppError(400, 'invalid_input', 'A reason is required.', { fields: { reason: parsed.error.issues[0]!.message } });
      // The report must belong to the patient in context (read through the patient-pinned search).
      const { reports } = await patientView(s, ctx);
      if (!reports.some((rep) => rep.id === id)) throw new AppError(404, 'result_not_found', 'That result is not in this patient\'s record.');
      const ref = `DiagnosticReport/${id}`;
      await s.db.transaction(async (m) => {
        await s.policyState.recordClinicianAction(m, { ehrId: session.ehrId, patientId: session.patientId, resourceRef: ref, action, by: session.viewer.id, reason: parsed.data.reason });
        await s.audit.record(
          { actor: { kind: 'staff', id: session.viewer.id }, ehrId: session.ehrId, patientId: session.patientId, action: action === 'release' ? 'staff_release' : 'staff_hold', resourceType: 'DiagnosticReport', resourceId: id, outcome: 'success', decision: `clinician_${action}`, ip: ctx.ip, userAgent: ctx.get('user-agent'), requestId: ctx.state.requestId, details: { reason: parsed.data.reason } },
          m,
        );
      });
      if (ctx.accepts('json', 'html') === 'html') ctx.redirect('/staff');
      else ctx.body = { id, action, status: 'recorded' };
    });
  }
  return r;
}
