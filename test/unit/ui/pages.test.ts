import assert from 'node:assert/strict';
import type { Communication } from 'fhir/r4.js';
import type { ActivityList, MessagingOptions } from '../../../src/portal/portal.js';
import { featuresFromScope } from '../../../src/smart/scopes.js';
import { mapAppointments } from '../../../src/views/appointments.js';
import { mapDocuments } from '../../../src/views/documents.js';
import { mapThread, mapThreads, type ThreadView } from '../../../src/views/messages.js';
import type { PendingItem } from '../../../src/views/pending.js';
import { mapResultDetail, mapResults, type ResultDetail } from '../../../src/views/results.js';
import { mapSummary } from '../../../src/views/summary.js';
import { renderActivity } from '../../../src/ui/pages/activity.js';
import { renderResultChoices } from '../../../src/ui/pages/result-choices.js';
import { emptyRequest, renderAppointmentRequest, renderAppointments } from '../../../src/ui/pages/appointments.js';
import { renderDocuments } from '../../../src/ui/pages/documents.js';
import { renderHome } from '../../../src/ui/pages/home.js';
import { renderCompose, renderInbox, renderThread } from '../../../src/ui/pages/messages.js';
import { renderResultDetail, renderResults } from '../../../src/ui/pages/results.js';
import { renderEhrDown } from '../../../src/ui/pages/status-pages.js';
import * as fx from '../views/fixtures.js';
import { assertWellFormedPage, chrome, fullPage, rc, textOf } from './helpers.js';

const EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>';
const held: PendingItem = {
  ref: 'DiagnosticReport/hiv-screen',
  kind: 'result',
  issued: '2025-05-30T12:00:00Z',
  releaseAt: '2025-06-03T12:00:00Z',
  explanation: 'Your care team will go over this result with you first.',
  category: 'HIV screening',
};
const heldDoc: PendingItem = { ref: 'DocumentReference/psych-note', kind: 'document', explanation: 'This document is being reviewed before release.', category: 'Psychiatry note' };
const reports = [fx.lipidPanel, fx.cbc, fx.prelimCulture];
const others = [...fx.included, ...fx.lipidObs, fx.oldChol, fx.cultureObs, fx.standaloneA1c];

const evilThread: Communication[] = [
  {
    resourceType: 'Communication',
    id: 'e1',
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    sender: { reference: 'Practitioner/pr1' },
    topic: { text: `Subject ${EVIL}` },
    sent: '2025-05-25T10:00:00Z',
    payload: [{ contentString: `Body ${EVIL}` }],
  },
];

const options = (over: Partial<MessagingOptions> = {}): MessagingOptions => ({
  enabled: true,
  purposes: [
    { code: 'medication-question', label: 'Question about a medication' },
    { code: 'other', label: 'Something else' },
  ],
  emergencyNotice: 'Messages are not for emergencies. If this is an emergency, call 911.',
  responseTime: 'Your care team usually answers within 2 business days.',
  maxBodyChars: 5000,
  maxSubjectChars: 200,
  maxAttachments: 3,
  maxAttachmentBytes: 5 * 1024 * 1024,
  acceptedTypes: ['application/pdf', 'image/jpeg', 'image/png'],
  ...over,
});

const activity: ActivityList = {
  scope: 'record',
  older: null,
  items: [
    { seq: 2, at: '2025-05-31T10:00:00Z', atDisplay: 'May 31, 2025, 6:00 AM', action: 'read', description: 'Looked at test results', who: { kind: 'proxy', name: 'Ana Lopez' }, device: 'Firefox on Windows', outcome: 'success' },
    { seq: 1, at: '2025-05-30T10:00:00Z', atDisplay: 'May 30, 2025, 6:00 AM', action: 'signin', description: 'Signed in', who: { kind: 'patient' }, outcome: 'success' },
  ],
};

function views(locale: 'en' | 'es') {
  const c = fx.ctx({ locale });
  const threads = mapThreads([...fx.thread1, ...evilThread], fx.included, c);
  const thread = mapThread('h1', fx.thread1, fx.included, c)!;
  const appointments = mapAppointments(fx.appointments, fx.included, c);
  const results = mapResults(reports, others, [held], c);
  const lipid = mapResultDetail('lipid', reports, others, [held], c) as ResultDetail;
  const cbc = mapResultDetail('cbc', reports, others, [held], c) as ResultDetail;
  const documents = mapDocuments([fx.visitSummary, fx.oldLetter], fx.included, [heldDoc], c);
  const summary = mapSummary({ threads, appointments, results, documents }, c);
  return { threads, thread, appointments, results, lipid, cbc, documents, summary };
}

describe('ui/pages', () => {
  const en = views('en');

  describe('escaping', () => {
    it('never lets a message subject or body become markup (inbox, thread, home)', () => {
      const c = fx.ctx();
      const thread = mapThread('e1', evilThread, fx.included, c)!;
      const pages = [
        fullPage(rc(), chrome(), renderThread(rc(), chrome(), thread, options(), { body: EVIL, errors: {} }, false)),
        fullPage(rc(), chrome(), renderInbox(rc(), chrome(), en.threads)),
        fullPage(rc(), chrome(), renderHome(rc(), chrome(), en.summary)),
      ];
      for (const page of pages) {
        assert.doesNotMatch(page, /<script>alert|<img src=x/);
        assert.doesNotMatch(page, /<[^>]*\sonerror=/);
      }
      assert.match(pages[0]!, /Body &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
      assert.match(pages[0]!, /<h1>Subject &lt;script&gt;/);
    });

    it('escapes names from the session (patient, proxy, clinic) in the frame', () => {
      const page = fullPage(rc(), chrome({ patientName: `Eve ${EVIL}`, viewer: { kind: 'proxy', name: 'Mallory', relationship: `<b>mother</b>` }, clinicName: 'A&B <Clinic>' }), { title: 'x', body: renderHome(rc(), chrome(), null).body });
      assert.doesNotMatch(page, /<script>alert|<b>mother<\/b>|<Clinic>/);
      assert.match(page, /A&amp;B &lt;Clinic&gt;/);
    });

    it('re-shows typed values escaped in a form after a validation error', () => {
      const page = renderCompose(rc(), chrome(), options(), { purpose: 'other', subject: `"><script>x</script>`, body: '</textarea><script>y</script>' }, { body: 'Enter your message.' }).body.value;
      assert.doesNotMatch(page, /<script>/);
      assert.match(page, /&lt;\/textarea&gt;&lt;script&gt;y/);
    });
  });

  describe('pending results and documents', () => {
    it('shows a placeholder with the explanation and never the name, category or value', () => {
      const page = fullPage(rc(), chrome(), renderResults(rc(), chrome(), en.results));
      const text = textOf(page);
      assert.match(text, /A result is waiting to be released/);
      assert.match(text, /Your care team will go over this result with you first\./);
      assert.doesNotMatch(page, /HIV|hiv-screen/i, 'no category and no id of the held result');
      assert.doesNotMatch(text, /Expected to be available by/, 'the date is the explanation\'s to give, once');
    });

    it('renders a pending detail without anything about the test', () => {
      const pending = mapResultDetail('DiagnosticReport/hiv-screen', reports, others, [held], fx.ctx());
      assert.ok(pending && pending.status === 'pending');
      const page = fullPage(rc(), chrome(), renderResultDetail(rc(), chrome(), pending));
      assert.match(textOf(page), /A result is waiting to be released/);
      assert.doesNotMatch(textOf(renderResultDetail(rc(), chrome(), pending).body.value), /A result is waiting to be released/, 'said once, by the page heading');
      assert.doesNotMatch(page, /HIV|hiv-screen/i);
      assertWellFormedPage(page, 'pending detail');
    });

    it('shows held documents as pending, without their category', () => {
      const page = fullPage(rc(), chrome(), renderDocuments(rc(), chrome(), en.documents, { limits: options(), values: { category: '', description: '' }, errors: {} }, null));
      assert.match(textOf(page), /A document is waiting to be released/);
      assert.doesNotMatch(page, /Psychiatry|psych-note/);
      assert.match(page, /href="\/api\/documents\/d1\/content" download/);
    });

    it('View opens the document in the browser, Download saves it', () => {
      const page = renderDocuments(rc(), chrome(), en.documents, { limits: options(), values: { category: '', description: '' }, errors: {} }, null).body.value;
      assert.match(page, /<a class="button-secondary" href="\/api\/documents\/d1\/content\?disposition=inline">View</);
      assert.match(page, /<a class="button-secondary" href="\/api\/documents\/d1\/content" download>Download</);
    });

    it('shows an upload made here with where it is, and no link to a file the EHR does not have yet', () => {
      const upload = { id: 'u-1', description: 'Signed consent form', category: 'form', sentAt: '2025-06-01T12:00:00Z', filename: 'consent.pdf', size: 2048, contentType: 'application/pdf', delivery: { status: 'rejected' as const, note: 'File too large for the chart' } };
      const list = mapDocuments([], [], [], fx.ctx(), { uploads: [upload] });
      const page = fullPage(rc(), chrome(), renderDocuments(rc(), chrome(), list, { limits: options(), values: { category: '', description: '' }, errors: {} }, null));
      const text = textOf(page);
      assert.match(text, /Signed consent form/);
      assert.match(text, /Delivery: Not accepted by the clinic: File too large for the chart/);
      assert.match(text, /A form/);
      assert.doesNotMatch(page, /\/api\/documents\/u-1/);
      assertWellFormedPage(page, 'upload on its way');
    });

    it('inbox and home say how many messages are held, and nothing when none is', () => {
      const held = { ...en.threads, held: 2 };
      const inbox = textOf(renderInbox(rc(), chrome(), held).body.value);
      assert.match(inbox, /2 messages are waiting for your care team to release them\./);
      assert.doesNotMatch(textOf(renderInbox(rc(), chrome(), en.threads).body.value), /waiting for your care team/);
      const home = textOf(renderHome(rc(), chrome(), { ...en.summary, messages: { ...en.summary.messages, held: 1 } }).body.value);
      assert.match(home, /1 message is waiting for your care team to release it\./);
      assert.match(textOf(renderInbox(rc('es'), chrome(), held).body.value), /2 mensajes están esperando/);
    });

    it('home says how many results are waiting without naming them', () => {
      const text = textOf(fullPage(rc(), chrome(), renderHome(rc(), chrome(), en.summary)));
      assert.match(text, /1 result is waiting to be released\./);
      assert.doesNotMatch(text, /HIV/);
    });
  });

  describe('a report of words only', () => {
    it('lists no "0 values" and shows no empty values section', () => {
      const xray = { resourceType: 'DiagnosticReport', id: 'xr1', status: 'final', code: { text: 'XR Chest 2 Views' }, subject: { reference: 'Patient/p1' }, issued: '2025-05-20T15:00:00Z', conclusion: 'No acute findings.' };
      const list = mapResults([xray], [], [], fx.ctx());
      assert.doesNotMatch(textOf(renderResults(rc(), chrome(), list).body.value), /0 values/);
      const detail = mapResultDetail('xr1', [xray], [], [], fx.ctx());
      assert.ok(detail && detail.status !== 'pending');
      const text = textOf(renderResultDetail(rc(), chrome(), detail).body.value);
      assert.match(text, /No acute findings\./);
      assert.doesNotMatch(text, /Values/);
    });
  });

  describe('result detail', () => {
    it('gives each value its unit, range, range bar with a text alternative, and flag in words', () => {
      const page = fullPage(rc(), chrome(), renderResultDetail(rc(), chrome(), en.cbc));
      const text = textOf(page);
      assert.match(text, /11\.8 10³\/µL/);
      assert.match(text, /4–11 10³\/µL/);
      // Range bars: role=img, labelled by a title and a description that says where the value is.
      const bars = [...page.matchAll(/<svg class="range-bar place-(\w+)"[^>]*role="img" aria-labelledby="([^" ]+) ([^"]+)"/g)];
      assert.equal(bars.length, 4);
      assert.deepEqual(bars.map((b) => b[1]), ['above', 'below', 'below', 'above']);
      for (const [, , t, d] of bars) {
        assert.match(page, new RegExp(`<title id="${t}">`));
        assert.match(page, new RegExp(`<desc id="${d}">Your value [^<]+ compared with the usual range [^<]+: (above|below) the usual range\\.</desc>`));
      }
      // High / low / critical in words, each with its own icon shape.
      assert.match(page, /class="flag flag-abnormal"><svg class="icon icon-high"[^]*?<span>High<\/span>/);
      assert.match(page, /class="flag flag-abnormal"><svg class="icon icon-low"[^]*?<span>Low<\/span>/);
      assert.match(page, /class="flag flag-critical"><svg class="icon icon-critical"[^]*?<span>Critical — your care team has been told<\/span>/);
      assert.match(text, /Outside the usual range \(worked out from the usual range\)/);
      assert.match(text, /Status Updated/);
      assert.match(text, /1 value in this report is not shown here yet\./);
      assertWellFormedPage(page, 'cbc detail');
    });

    it('draws a trend chart with title, description, axes, range band and a data table', () => {
      const page = fullPage(rc(), chrome(), renderResultDetail(rc(), chrome(), en.lipid));
      assert.equal(en.lipid.trends.length, 1, 'cholesterol has two points');
      const svg = /<svg class="trend-chart"[^]*?<\/svg>/.exec(page)?.[0];
      assert.ok(svg, 'trend svg present');
      assert.match(svg, /role="img" aria-labelledby="trend-0-t trend-0-d"/);
      assert.match(svg, /<title id="trend-0-t">Cholesterol \[Mass\/volume\] in Serum or Plasma over time<\/title>/);
      assert.match(svg, /<desc id="trend-0-d">2 results from May 2, 2024 to May 10, 2025, from 190 mg\/dL to 212 mg\/dL\. Usual range ≤ 200 mg\/dL\.<\/desc>/);
      assert.match(svg, /class="trend-band"/);
      assert.match(svg, /class="axis-title"[^>]*>Date</);
      assert.match(svg, /class="axis-title"[^>]*>Value \(mg\/dL\)</);
      assert.equal((svg.match(/class="trend-point/g) ?? []).length, 2);
      assert.match(svg, /class="trend-point out"/, 'the out-of-range point has its own shape');
      const table = /<table class="data-table">[^]*?<\/table>/.exec(page)?.[0];
      assert.ok(table);
      assert.match(table, /<caption[^>]*>Cholesterol \[Mass\/volume\] in Serum or Plasma: every result<\/caption>/);
      assert.match(textOf(table), /May 2, 2024 190 mg\/dL within the usual range/);
      assert.match(textOf(table), /May 10, 2025 212 mg\/dL above the usual range/);
      assert.match(page, /href="\/api\/results\/lipid\/form\/0"/);
      assertWellFormedPage(page, 'lipid detail');
    });

    it('groups the list by day and then by type', () => {
      const page = renderResults(rc(), chrome(), en.results).body.value;
      const days = [...page.matchAll(/<h2 id="day-\d+"><time datetime="([^"]+)">/g)].map((m) => m[1]);
      assert.deepEqual(days, ['2025-05-31', '2025-05-29', '2025-05-11', '2025-04-02', '2024-05-02']);
      assert.match(page, /<h3>Blood count<\/h3>/);
      assert.match(textOf(page), /Includes a critical value/);
    });
  });

  describe('messages', () => {
    it('puts the emergency notice and response time before the form', () => {
      const page = renderCompose(rc(), chrome(), options(), { purpose: '', subject: '', body: '' }, {}).body.value;
      const notice = page.indexOf('call 911');
      const response = page.indexOf('2 business days');
      const form = page.indexOf('<form');
      assert.ok(notice > -1 && response > -1 && notice < form && response < form);
      assert.match(page, /enctype="multipart\/form-data"/);
      assert.match(page, /<input type="hidden" name="_csrf" value="csrf-token-123">/);
      assert.match(page, /accept="\.pdf,\.jpg,\.jpeg,\.png"/);
      assert.match(page, /maxlength="5000"/);
      assert.match(textOf(page), /Up to 3 files, 5 MB each\. PDF, JPG or PNG\./);
    });

    it('states the delivery status of each of the patient\'s messages in words', () => {
      const base = en.thread;
      const mine = base.messages.find((m) => m.from.kind === 'patient')!;
      const withStatus = (status: ThreadView['messages'][number]['status'], extra = {}) =>
        renderThread(rc(), chrome(), { ...base, messages: [{ ...mine, status, ...extra }] }, options(), { body: '', errors: {} }, false).body.value;
      assert.match(textOf(withStatus('sending')), /Delivery: Sending…/);
      assert.match(textOf(withStatus('retrying')), /Not delivered yet — we keep trying\. Call the clinic if it is urgent\./);
      assert.match(textOf(withStatus('delivered')), /Delivery: Delivered/);
      const rejected = withStatus('rejected', { deliveryNote: 'Patient not found at this clinic' });
      assert.match(textOf(rejected), /Not accepted by the clinic: Patient not found at this clinic/);
      assert.match(rejected, /<textarea id="copy-m1" readonly[^>]*>Should I take lisinopril/);
    });

    it('links each attachment the portal can open, and says when the patient’s own file can be opened', () => {
      const mine = en.thread.messages.find((m) => m.from.kind === 'patient')!;
      const file = { title: 'scan.pdf', contentType: 'application/pdf', size: 2048, url: null, binaryRef: null, inline: false };
      const thread = { ...en.thread, messages: [...en.thread.messages, { ...mine, id: 'local-msg-w1', status: 'sending' as const, attachments: [file] }] };
      const page = renderThread(rc(), chrome(), thread, options(), { body: '', errors: {} }, false).body.value;
      assert.match(page, /<a href="\/api\/messages\/m2\/attachments\/0">Lisinopril instructions\.pdf<\/a>/);
      assert.match(page, /<a href="\/api\/documents\/d1\/content">Care plan<\/a>/);
      assert.match(textOf(page), /scan\.pdf \(You can open this file here once your message has been delivered\.\)/);
      assert.doesNotMatch(textOf(page), /Ask the clinic for a copy/);
      const es = renderThread(rc('es'), chrome(), thread, options(), { body: '', errors: {} }, false).body.value;
      assert.match(textOf(es), /Podrá abrir este archivo aquí cuando su mensaje haya sido entregado\./);
    });

    it('shows a confirmation as a status message after sending', () => {
      const page = renderThread(rc(), chrome(), en.thread, options(), { body: '', errors: {} }, true).body.value;
      assert.match(page, /role="status"><p>Your message is on its way/);
    });
  });

  describe('page titles on shared computers', () => {
    for (const locale of ['en', 'es'] as const) {
      it(`keeps the test name and the subject out of <title> in ${locale}, and in the h1`, () => {
        const v = views(locale);
        const r = rc(locale);
        const result = fullPage(r, chrome(), renderResultDetail(r, chrome(), v.lipid));
        const thread = fullPage(r, chrome(), renderThread(r, chrome(), v.thread, options(), { body: '', errors: {} }, false));
        const title = (page: string) => /<title>([^<]*)<\/title>/.exec(page)![1];
        assert.equal(title(result), `${locale === 'en' ? 'Test result' : 'Resultado'} – Riverside Family Health`);
        assert.equal(title(thread), `${locale === 'en' ? 'Conversation' : 'Conversación'} – Riverside Family Health`);
        assert.match(result, new RegExp(`<h1>${v.lipid.name}</h1>`));
        assert.match(thread, /<h1>Question about my blood pressure pills<\/h1>/);
      });
    }
  });

  describe('every page in both languages', () => {
    for (const locale of ['en', 'es'] as const) {
      it(`renders every page in ${locale} with one h1, ordered headings and labelled controls`, () => {
        const v = views(locale);
        const r = rc(locale);
        const proxy = chrome({ viewer: { kind: 'proxy', name: 'Ana Lopez', relationship: locale === 'en' ? 'mother' : 'madre' } });
        const pages: Record<string, string> = {
          home: fullPage(r, chrome(), renderHome(r, chrome(), v.summary)),
          homeProxy: fullPage(r, proxy, renderHome(r, proxy, v.summary)),
          inbox: fullPage(r, chrome(), renderInbox(r, chrome(), v.threads)),
          compose: fullPage(r, chrome(), renderCompose(r, chrome(), options(), { purpose: '', subject: '', body: '' }, { subject: 'x' })),
          thread: fullPage(r, chrome(), renderThread(r, chrome(), v.thread, options(), { body: '', errors: {} }, true)),
          appointments: fullPage(r, chrome(), renderAppointments(r, chrome(), v.appointments, null)),
          request: fullPage(r, chrome(), renderAppointmentRequest(r, chrome(), emptyRequest(), { date0: 'x' }, '2025-06-01')),
          results: fullPage(r, chrome(), renderResults(r, chrome(), v.results)),
          lipid: fullPage(r, chrome(), renderResultDetail(r, chrome(), v.lipid)),
          cbc: fullPage(r, chrome(), renderResultDetail(r, chrome(), v.cbc)),
          documents: fullPage(r, chrome(), renderDocuments(r, chrome(), v.documents, { limits: options(), values: { category: '', description: '' }, errors: {} }, null)),
          activity: fullPage(r, chrome(), renderActivity(r, chrome(), activity)),
          ehrDown: fullPage(r, chrome(), renderEhrDown(r, chrome())),
        };
        for (const [name, page] of Object.entries(pages)) {
          assertWellFormedPage(page, `${locale} ${name}`);
          assert.match(page, new RegExp(`<html lang="${locale}">`));
          assert.match(page, locale === 'en' ? /Sign out/ : /Cerrar sesión/, `${name}: nav in ${locale}`);
          assert.match(page, /<form method="post" action="\/logout" class="signout">\s*<input type="hidden" name="_csrf" value="csrf-token-123">/);
          assert.match(page, /<a class="skip-link" href="#main">/);
          assert.match(page, /<main id="main"/);
        }
        assert.match(textOf(pages.homeProxy!), locale === 'en' ? /You are viewing Maria Elena Lopez's record as mother\./ : /Está viendo el expediente de Maria Elena Lopez como madre\./);
        assert.match(textOf(pages.home!), locale === 'en' ? /Hello, Maria/ : /Hola, Maria/);
        assert.match(textOf(pages.home!), /Patient: Maria Elena Lopez|Paciente: Maria Elena Lopez/);
        if (locale === 'es') {
          assert.match(textOf(pages.results!), /Un resultado está esperando ser publicado/);
          assert.match(textOf(pages.cbc!), /Su valor/);
          assert.match(textOf(pages.appointments!), /Próximas/);
        }
      });
    }
  });

  describe('unavailable sections and errors', () => {
    it('says a section is unavailable, with the reason, when the scopes do not allow it', () => {
      const noResults = chrome({ features: featuresFromScope('launch openid patient/Communication.crs patient/Appointment.crs') });
      const text = textOf(renderResults(rc(), noResults, null).body.value);
      assert.match(text, /Not available\. Your clinic's system did not give this app permission to show test results\./);
      const home = textOf(renderHome(rc(), noResults, en.summary).body.value);
      assert.match(home, /permission to show test results/);
      assert.match(home, /permission to show documents/);
      const readOnly = chrome({ features: featuresFromScope('launch openid patient/Communication.rs') });
      assert.match(textOf(renderCompose(rc(), readOnly, options(), { purpose: '', subject: '', body: '' }, {}).body.value), /lets this app show messages but not send new ones/);
    });

    it('counts items that could not be displayed', () => {
      const one = textOf(renderInbox(rc(), chrome(), { ...en.threads, skipped: 1 }).body.value);
      assert.match(one, /1 item could not be displayed\./);
      const three = textOf(renderDocuments(rc('es'), chrome(), { ...en.documents, skipped: 3 }, { limits: options(), values: { category: '', description: '' }, errors: {} }, null).body.value);
      assert.match(three, /No se pudieron mostrar 3 elementos\./);
    });

    it('names the EHR and says nothing sent was lost when it is down', () => {
      const text = textOf(renderEhrDown(rc(), chrome({ path: '/results' })).body.value);
      assert.match(text, /Sandbox EHR is not answering at the moment/);
      assert.match(text, /Nothing you sent has been lost/);
      assert.match(renderEhrDown(rc(), chrome({ path: '/results' })).body.value, /role="alert"/);
    });
  });

  describe('choices about results', () => {
    it('a labelled checkbox per choice, ticked as saved, in a form with the CSRF field; both languages', () => {
      const page = renderResultChoices(rc(), chrome(), { waitForClinician: true, geneticEarlyRelease: false }, null).body.value;
      assert.match(page, /<input type="checkbox" id="waitForClinician" name="waitForClinician" value="on" checked aria-describedby="waitForClinician-hint">\s*<label for="waitForClinician">/);
      assert.match(page, /<input type="checkbox" id="geneticEarlyRelease" name="geneticEarlyRelease" value="on" aria-describedby/);
      assert.match(page, /<form method="post" action="\/result-choices" class="form">\s*<input type="hidden" name="_csrf"/);
      assert.match(page, /<fieldset><legend>How results reach me<\/legend>/);
      assertWellFormedPage(fullPage(rc(), chrome(), renderResultChoices(rc(), chrome(), { waitForClinician: false, geneticEarlyRelease: true }, 'Saved.')), 'result choices');
      assert.match(textOf(renderResultChoices(rc('es'), chrome(), { waitForClinician: false, geneticEarlyRelease: false }, null).body.value), /Cómo me llegan los resultados/);
    });

    it('the results page links to them for the patient, not for a proxy', () => {
      const list = en.results;
      assert.match(renderResults(rc(), chrome(), list).body.value, /href="\/result-choices"/);
      assert.doesNotMatch(renderResults(rc(), chrome({ viewer: { kind: 'proxy', name: 'Grace', relationship: 'daughter' } }), list).body.value, /result-choices/);
    });
  });

  describe('activity', () => {
    it('translates every outcome, "accepted, on its way" included, and links to older entries when there are more', () => {
      const sent = { ...activity, older: 17, items: [{ ...activity.items[0]!, action: 'write', outcome: 'pending' }] };
      const page = renderActivity(rc(), chrome(), sent).body.value;
      assert.match(textOf(page), /Accepted, on its way/);
      assert.match(page, /href="\/activity\?before=17"/);
      assert.match(textOf(renderActivity(rc('es'), chrome(), sent).body.value), /Aceptado, en camino/);
      assert.doesNotMatch(renderActivity(rc(), chrome(), activity).body.value, /before=/);
    });

    it('says whose activity it lists: the whole record for the patient, their own for a proxy', () => {
      assert.match(textOf(renderActivity(rc(), chrome(), activity).body.value), /Sign-ins to this record and who looked at or changed what/);
      const own = textOf(renderActivity(rc(), chrome(), { ...activity, scope: 'viewer' }).body.value);
      assert.match(own, /Your own sign-ins to this record/);
      assert.doesNotMatch(own, /who looked at or changed what/);
      assert.match(textOf(renderActivity(rc('es'), chrome(), { ...activity, scope: 'viewer' }).body.value), /Sus propios inicios de sesión/);
    });
  });

  describe('appointments', () => {
    it('offers add-to-calendar for upcoming and cancel for requests, each in its group', () => {
      const page = renderAppointments(rc(), chrome(), en.appointments, null).body.value;
      for (const g of ['Upcoming', 'Requested', 'Past', 'Cancelled']) assert.match(page, new RegExp(`<h2 id="group-\\w+">${g} <span class="count">`));
      const upcoming = en.appointments.items.find((a) => a.group === 'upcoming')!;
      const requested = en.appointments.items.find((a) => a.group === 'requested')!;
      assert.match(page, new RegExp(`href="/appointments/${upcoming.id}\\.ics" download`));
      assert.match(page, new RegExp(`<form method="post" action="/appointments/${requested.id}/cancel"[^>]*>\\s*<input type="hidden" name="_csrf"`));
    });

    it('a card names the reason for the visit when its title does not already say it', () => {
      const base = { resourceType: 'Appointment', status: 'proposed', requestedPeriod: [{ start: '2025-06-20T12:00:00Z', end: '2025-06-20T16:00:00Z' }], participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] };
      const list = mapAppointments([{ ...base, id: 'r-1', serviceType: [{ text: 'Cardiology' }], reasonCode: [{ text: 'Palpitations' }] }, { ...base, id: 'r-2', reasonCode: [{ text: 'Knee pain' }] }], [], fx.ctx());
      const text = textOf(renderAppointments(rc(), chrome(), list, null).body.value);
      assert.match(text, /Reason\s*Palpitations/);
      assert.match(text, /Knee pain/);
      assert.doesNotMatch(text, /Reason\s*Knee pain/, 'not repeated when it is the title');
    });

    it('a request refused by the EHR says why', () => {
      const refused = mapAppointments([{ resourceType: 'Appointment', id: 'r-1', status: 'cancelled', participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] }], [], fx.ctx(), {
        requests: new Map([['r-1', { status: 'rejected' as const, note: 'No slots that week' }]]),
      });
      const text = textOf(renderAppointments(rc(), chrome(), refused, null).body.value);
      assert.match(text, /Not accepted by the clinic's system/);
      assert.match(text, /Not accepted by the clinic: No slots that week/);
    });

    it('a cancellation the EHR refused: still upcoming, not cancelled, with the reason in plain words', () => {
      const start = new Date(fx.NOW.getTime() + 3 * 86_400_000).toISOString();
      const booked = mapAppointments([{ resourceType: 'Appointment', id: 'a-1', status: 'booked', start, participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] }], [], fx.ctx(), {
        cancellations: new Map([['a-1', { status: 'rejected' as const, note: 'The clinic has already booked this request. Please call the clinic to change it.' }]]),
      });
      const page = renderAppointments(rc(), chrome(), booked, null).body.value;
      const text = textOf(page);
      assert.match(text, /Upcoming \(1\)/);
      assert.match(text, /Not cancelled: the clinic could not cancel this/);
      assert.match(text, /The clinic has already booked this request\. Please call the clinic/);
      assert.doesNotMatch(text, /Not accepted by the clinic:/);
      assert.match(page, /href="\/appointments\/a-1\.ics" download/);
    });

    it('request form: reason, in person or video, up to three dates with part of day', () => {
      const page = renderAppointmentRequest(rc(), chrome(), emptyRequest(), {}, '2025-06-01').body.value;
      assert.equal((page.match(/type="date"/g) ?? []).length, 3);
      assert.match(page, /min="2025-06-01"/);
      assert.match(page, /value="video"/);
      assert.equal((page.match(/<select id="part\d"/g) ?? []).length, 3);
    });
  });
});
