import type { Appointment, Communication, DiagnosticReport, Patient, RelatedPerson, Resource } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import { applyPolicy, decide, type Decision, type PolicyContext } from '../policy/index.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import { readClinicalRecords } from '../portal/clinical-records.js';
import type { BackendFhir } from './backend-client.js';
import { contactFrom } from './contact.js';
import { channelsFor } from './preferences.js';
import { dueLead, isFresh } from './schedule.js';
import { clinicDefaults, type NotifySettings } from './settings.js';
import type { NotifyStore } from './store.js';
import { TOPIC_OF, recipientKey, type Channel, type NewEvent, type Recipient } from './types.js';

/** Clock skew allowed between the EHR's timestamps and ours when telling new from re-touched. */
const GRACE_MS = 10 * 60_000;
const STAFF_SENDER = /^(?:.*\/)?(Practitioner|PractitionerRole|Organization)\/[A-Za-z0-9\-.]{1,64}$/;
const REPORT_STATUSES = new Set(['preliminary', 'final', 'amended', 'corrected', 'appended']);
const PATIENT_REF = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/;
const RESOURCE_REF = /^(?:.*\/)?(Communication|DiagnosticReport|Appointment)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

export const CHANGE_TYPES = ['Communication', 'DiagnosticReport'] as const;

interface Viewer {
  recipient: Recipient;
  ctx: PolicyContext;
}

const patientOf = (ref: string | undefined) => (ref ? PATIENT_REF.exec(ref)?.[1] : undefined);

/** `Type/id` references a rest-hook payload names (the resource itself, or a Bundle's entries). */
export function referencesIn(payload: unknown): { type: (typeof CHANGE_TYPES)[number] | 'Appointment'; id: string }[] {
  const out = new Map<string, { type: 'Communication' | 'DiagnosticReport' | 'Appointment'; id: string }>();
  const add = (ref: string | undefined) => {
    const m = ref ? RESOURCE_REF.exec(ref) : null;
    if (m) out.set(`${m[1]}/${m[2]}`, { type: m[1] as 'Communication', id: m[2]! });
  };
  const visit = (r: unknown, depth: number) => {
    if (!r || typeof r !== 'object' || depth > 3) return;
    const res = r as { resourceType?: unknown; id?: unknown; entry?: unknown; parameter?: unknown };
    if (typeof res.resourceType === 'string' && typeof res.id === 'string') add(`${res.resourceType}/${res.id}`);
    if (res.resourceType === 'Bundle' && Array.isArray(res.entry)) {
      for (const e of res.entry.slice(0, 100) as { fullUrl?: string; resource?: unknown; request?: { url?: string } }[]) {
        add(e.fullUrl);
        add(e.request?.url);
        visit(e.resource, depth + 1);
      }
    }
    // R4B/R5-style notification status (Parameters): the focus references.
    if (res.resourceType === 'Parameters' && Array.isArray(res.parameter)) {
      for (const p of res.parameter.slice(0, 100) as { valueReference?: { reference?: string }; part?: unknown[] }[]) {
        add(p.valueReference?.reference);
        for (const part of (p.part ?? []) as { valueReference?: { reference?: string } }[]) add(part.valueReference?.reference);
      }
    }
  };
  visit(payload, 0);
  return [...out.values()].slice(0, 50);
}

/**
 * Turns what changed in an EHR into notification events: new care-team messages, results that
 * became visible to a viewer, appointments inside a reminder lead, writes still undelivered. Every
 * viewer is checked with the release policy: a proxy hears only of what the portal would show them.
 */
export class Detector {
  constructor(
    private readonly s: AppServices,
    private readonly store: NotifyStore,
    private readonly settings: NotifySettings,
    private readonly available: ReadonlySet<Channel>,
  ) {}

  /** One `_lastUpdated` window per type (cursor = the EHR's own lastUpdated, kept in the database). */
  async pollChanges(backend: BackendFhir): Promise<number> {
    let found = 0;
    for (const type of CHANGE_TYPES) {
      const name = `changes:${backend.ehrId}:${type}`;
      const cursor = await this.store.cursor(name);
      const now = this.s.clock();
      if (!cursor) {
        // First run: start watching now; history is not news.
        await this.store.setCursor(name, now.toISOString(), now);
        continue;
      }
      const result = await backend.system().searchShared<Resource>(type, { _lastUpdated: `gt${cursor}`, _sort: '_lastUpdated', _count: '100' });
      if (!result.matches.length) continue;
      found += result.matches.length;
      await this.processChanged(backend, result.matches, new Date(cursor));
      const newest = result.matches.map((r) => r.meta?.lastUpdated).filter((v): v is string => Boolean(v)).sort().at(-1);
      if (newest && newest > cursor) await this.store.setCursor(name, newest, this.s.clock());
    }
    return found;
  }

  /** A rest-hook trigger: re-read what it names with the backend token, then act on that. */
  async processReferences(backend: BackendFhir, refs: { type: string; id: string }[]): Promise<void> {
    const fhir = backend.system();
    const read: Resource[] = [];
    for (const ref of refs) read.push(await fhir.read<Resource>(ref.type, ref.id));
    const appointments = read.filter((r): r is Appointment => r.resourceType === 'Appointment');
    await this.processChanged(backend, read.filter((r) => r.resourceType !== 'Appointment'), this.s.clock());
    if (appointments.length) await this.remindAppointments(backend, appointments);
  }

  /** Changed Communications and DiagnosticReports → events, per patient. */
  async processChanged(backend: BackendFhir, resources: Resource[], windowStart: Date): Promise<void> {
    const byPatient = new Map<string, { messages: Communication[]; reports: DiagnosticReport[] }>();
    const slot = (p: string) => byPatient.get(p) ?? byPatient.set(p, { messages: [], reports: [] }).get(p)!;
    for (const r of resources) {
      if (r.resourceType === 'Communication') {
        const c = r as Communication;
        const patient = patientOf(c.subject?.reference);
        if (!patient || !c.id || !c.payload?.length || !STAFF_SENDER.test(c.sender?.reference ?? '')) continue;
        if (c.status === 'entered-in-error' || !isFresh(c.sent ?? c.meta?.lastUpdated, windowStart, GRACE_MS)) continue;
        if (await this.store.eventExists(`msg:${backend.ehrId}:${c.id}`)) continue;
        slot(patient).messages.push(c);
      } else if (r.resourceType === 'DiagnosticReport') {
        const d = r as DiagnosticReport;
        const patient = patientOf(d.subject?.reference);
        if (!patient || !d.id || !REPORT_STATUSES.has(d.status)) continue;
        if (!isFresh(d.issued ?? d.meta?.lastUpdated, windowStart, GRACE_MS)) continue;
        slot(patient).reports.push(d);
      }
    }
    for (const [patientId, changed] of byPatient) {
      const fhir = backend.forPatient(patientId);
      const viewers = await this.viewers(backend, fhir, patientId);
      for (const c of changed.messages) await this.messageEvent(backend.ehrId, patientId, fhir, c, viewers);
      if (changed.reports.length) await this.reportEvents(backend.ehrId, patientId, fhir, viewers, changed.reports.map((r) => r.id!), 'new');
    }
  }

  /** Clinician releases recorded since the cursor: a result visible now that was not before → event at once. */
  async scanClinicianActions(backend: BackendFhir): Promise<void> {
    const ehrId = backend.ehrId;
    const name = `actions:${ehrId}`;
    const raw = await this.store.cursor(name);
    if (!raw) {
      await this.store.setCursor(name, JSON.stringify({ at: this.s.clock().toISOString(), id: '' }), this.s.clock());
      return;
    }
    const actions = await this.store.clinicianActionsAfter(ehrId, JSON.parse(raw) as { at: string; id: string });
    for (const a of actions) {
      const m = /^DiagnosticReport\/([A-Za-z0-9\-.]{1,64})$/.exec(a.resourceRef);
      if (a.action === 'release' && m) {
        const fhir = backend.forPatient(a.patientId);
        const viewers = await this.viewers(backend, fhir, a.patientId);
        // "Before" is the same policy without this release: only a real change of visibility is news.
        const before = viewers.map((v) => ({ ...v, ctx: { ...v.ctx, clinicianActions: v.ctx.clinicianActions.filter((x) => x.at.getTime() < a.at.getTime()) } }));
        await this.reportEvents(ehrId, a.patientId, fhir, viewers, [m[1]!], 'changed', before);
      }
      await this.store.setCursor(name, JSON.stringify({ at: a.at.toISOString(), id: a.id }), this.s.clock());
    }
  }

  /** Watched results whose delay or hold maximum has ended: re-decide that patient's results. */
  async scanDueWatches(backend: BackendFhir): Promise<void> {
    for (const patientId of await this.store.patientsWithDueWatches(backend.ehrId, this.s.clock())) {
      const fhir = backend.forPatient(patientId);
      const viewers = await this.viewers(backend, fhir, patientId);
      const watched = await this.store.watches(backend.ehrId, patientId);
      await this.reportEvents(backend.ehrId, patientId, fhir, viewers, [...new Set(watched.map((w) => w.reportId))], { watched });
    }
  }

  /** Booked appointments inside a reminder lead (a time rule, so it scans rather than waits for changes). */
  async scanAppointments(backend: BackendFhir): Promise<void> {
    const now = this.s.clock();
    const maxLead = Math.max(...this.settings.leadsHours);
    const found = await backend.system().searchShared<Appointment>('Appointment', { date: `ge${now.toISOString()}`, status: 'booked', _sort: 'date', _count: '100' });
    const horizon = now.getTime() + maxLead * 3_600_000;
    await this.remindAppointments(backend, found.matches.filter((a) => a.start && Date.parse(a.start) <= horizon));
  }

  private async remindAppointments(backend: BackendFhir, appointments: Appointment[]): Promise<void> {
    const now = this.s.clock();
    for (const a of appointments) {
      if (!a.id || a.status !== 'booked' || !a.start) continue;
      const lead = dueLead(new Date(a.start), now, this.settings.leadsHours);
      if (lead === undefined) continue;
      const key = `appt:${backend.ehrId}:${a.id}:${lead}`;
      if (await this.store.eventExists(key)) continue;
      const patientId = (a.participant ?? []).map((p) => patientOf(p.actor?.reference)).find(Boolean);
      if (!patientId) continue;
      const viewers = await this.viewers(backend, backend.forPatient(patientId), patientId);
      const recipients = viewers.filter((v) => decide(a, v.ctx, this.s.rules(backend.ehrId)).visible).map((v) => v.recipient);
      await this.emit({ key, ehrId: backend.ehrId, patientId, kind: 'appointment', resourceRef: `Appointment/${a.id}`, recipients });
    }
  }

  /** Writes still undelivered after the outbox's overdue time (database only: works while the EHR is down). */
  async scanOverdueWrites(): Promise<void> {
    const before = new Date(this.s.clock().getTime() - this.settings.overdueMs);
    for (const w of await this.store.overdueWrites(before)) {
      await this.emit({ key: `write:${w.id}`, ehrId: w.ehrId, patientId: w.patientId, kind: 'write', recipients: [w.recipient] });
    }
  }

  /** Keeps the contact details of viewers who just signed in, for sends while the EHR is unreachable. */
  async snapshotNewSessions(backend: BackendFhir): Promise<void> {
    const name = `sessions:${backend.ehrId}`;
    const raw = await this.store.cursor(name);
    const now = this.s.clock();
    const after = raw ? new Date(raw) : new Date(now.getTime() - 60 * 60_000);
    const sessions = await this.store.sessionsAfter(backend.ehrId, after);
    for (const sess of sessions) {
      const fhir = backend.forPatient(sess.patientId);
      const person = sess.recipient.kind === 'patient' ? await fhir.read<Patient>('Patient', sess.patientId) : await fhir.read<RelatedPerson>('RelatedPerson', sess.recipient.id);
      await this.store.saveContact(backend.ehrId, sess.patientId, sess.recipient, contactFrom(person, now), now);
      await this.store.setCursor(name, sess.createdAt.toISOString(), now);
    }
    if (!raw && !sessions.length) await this.store.setCursor(name, after.toISOString(), now);
  }

  /** Stores the event once, with a pending row per recipient and channel their preferences allow. */
  async emit(ev: NewEvent): Promise<boolean> {
    const channels = new Map<string, Channel[]>();
    for (const r of ev.recipients) {
      const { saved } = await this.store.preferences(ev.ehrId, ev.patientId, r);
      channels.set(recipientKey(r), channelsFor(TOPIC_OF[ev.kind], saved, clinicDefaults(this.settings, this.s.registration(ev.ehrId)), this.available));
    }
    const created = await this.store.createEvent(ev, channels, this.s.clock());
    if (created) this.s.logger.info({ event: 'notify.event_created', kind: ev.kind, ehr: ev.ehrId, recipients: ev.recipients.length }, 'notification event created');
    return created;
  }

  /**
   * The patient, and each known proxy whose RelatedPerson still links to this patient, each with the
   * policy context the portal would use for them. A proxy whose record cannot be read is left out.
   */
  private async viewers(backend: BackendFhir, fhir: FhirSession, patientId: string): Promise<Viewer[]> {
    const ehrId = backend.ehrId;
    const now = this.s.clock();
    const [patient, { clinicianActions, preferences }, proxyIds] = await Promise.all([
      fhir.read<Patient>('Patient', patientId),
      this.s.policyState.forPatient(ehrId, patientId),
      this.store.knownProxies(ehrId, patientId),
    ]);
    const facts = { id: patientId, ...(patient.birthDate ? { birthDate: patient.birthDate } : {}), ...(patient.address?.[0]?.state ? { state: patient.address[0].state } : {}) };
    const base = { patient: facts, now, clinicianActions, preferences };
    const me: Recipient = { kind: 'patient', id: patientId };
    await this.store.saveContact(ehrId, patientId, me, contactFrom(patient, now), now);
    const out: Viewer[] = [{ recipient: me, ctx: { ...base, viewer: { kind: 'patient', id: patientId } } }];
    for (const id of proxyIds) {
      const rp = await fhir.read<RelatedPerson>('RelatedPerson', id).catch(() => undefined);
      if (!rp || rp.active === false || patientOf(rp.patient?.reference) !== patientId) continue;
      const relationship = rp.relationship?.[0]?.coding?.[0]?.display ?? rp.relationship?.[0]?.text;
      const r: Recipient = { kind: 'proxy', id };
      await this.store.saveContact(ehrId, patientId, r, contactFrom(rp, now), now);
      out.push({ recipient: r, ctx: { ...base, viewer: { kind: 'proxy', id, ...(relationship ? { relationship } : {}) } } });
    }
    return out;
  }

  private async messageEvent(ehrId: string, patientId: string, fhir: FhirSession, c: Communication, viewers: Viewer[]): Promise<void> {
    const headerId = c.partOf?.map((p) => /Communication\/([A-Za-z0-9\-.]{1,64})$/.exec(p.reference ?? '')?.[1]).find(Boolean);
    // The thread's header carries the thread's labels too: a message is shown only if both are.
    const header = headerId ? await fhir.read<Communication>('Communication', headerId) : undefined;
    const rules = this.s.rules(ehrId);
    const recipients = viewers.filter((v) => decide(c, v.ctx, rules).visible && (!header || decide(header, v.ctx, rules).visible)).map((v) => v.recipient);
    await this.emit({ key: `msg:${ehrId}:${c.id}`, ehrId, patientId, kind: 'message', resourceRef: `Communication/${c.id}`, recipients });
  }

  /**
   * Decides the patient's results for every viewer (the whole record, so a report held through a
   * related result or document stays held) and, per report and viewer: visible → one event;
   * not visible → watched until its release time or a clinician's action.
   *  - 'new': a report just seen; `{ watched }`: re-decision of these watches (report, viewer);
   *  - 'changed': a clinician acted; `before` is the policy as it was, and only a change counts.
   */
  private async reportEvents(
    ehrId: string,
    patientId: string,
    fhir: FhirSession,
    viewers: Viewer[],
    reportIds: string[],
    how: 'new' | 'changed' | { watched: readonly { reportId: string; recipient: Recipient }[] },
    before?: Viewer[],
  ): Promise<void> {
    const mode = typeof how === 'string' ? how : 'watched';
    const watched = typeof how === 'string' ? [] : how.watched;
    // The same record the patient's pages decide on, so a notice never names what the portal holds.
    const { set } = await readClinicalRecords(fhir, { reports: true, documents: true });
    const rules = this.s.rules(ehrId);
    const decideAll = (v: Viewer) => applyPolicy(set, v.ctx, rules).decisions;
    const now = this.s.clock();
    for (const [i, v] of viewers.entries()) {
      const decisions = decideAll(v);
      const earlier = before ? decideAll(before[i]!) : undefined;
      for (const reportId of reportIds) {
        if (mode === 'watched' && !watched.some((w) => w.reportId === reportId && recipientKey(w.recipient) === recipientKey(v.recipient))) continue;
        const d: Decision | undefined = decisions.get(`DiagnosticReport/${reportId}`);
        if (!d) continue;
        if (!d.visible) {
          if (mode !== 'changed') await this.store.watch(ehrId, patientId, reportId, v.recipient, nextLook(d, now), now);
          continue;
        }
        if (mode === 'changed' && earlier?.get(`DiagnosticReport/${reportId}`)?.visible) continue;
        await this.emit({ key: `result:${ehrId}:${reportId}:${recipientKey(v.recipient)}`, ehrId, patientId, kind: 'result', resourceRef: `DiagnosticReport/${reportId}`, recipients: [v.recipient] });
        await this.store.unwatch(ehrId, patientId, reportId, v.recipient);
      }
    }
  }
}

/** When to decide a held result again: its release time; a past one (odd calendar) waits an hour. */
function nextLook(d: Decision, now: Date): Date | undefined {
  if (!d.releaseAt) return undefined;
  return d.releaseAt.getTime() > now.getTime() ? d.releaseAt : new Date(now.getTime() + 3_600_000);
}
