import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { parseSearchRequest } from '@medplum/core';
import type { DiagnosticReport, Resource } from 'fhir/r4.js';
import { freshDatabase, LogCapture } from '../helpers/test-portal.js';
import { startPortal, type RunningPortal } from '../../../src/server.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | undefined;
}

/** A real SMTP server on a free port (no TLS, no auth). `stall` accepts the data but never answers it. */
export async function startSmtp(options: { stall?: boolean } = {}) {
  const mails: ReceivedMail[] = [];
  let dataStarted = 0;
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 50,
    onData(stream, session, callback) {
      dataStarted++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (options.stall) return; // never accepted: the client waits for the reply
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1],
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    get dataStarted() {
      return dataStarted;
    },
    to: (address: string) => mails.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The body as text: quoted-printable soft breaks joined and =XX decoded (nodemailer encodes non-ASCII). */
export function mailText(m: ReceivedMail): string {
  const body = m.raw.split(/\r?\n\r?\n/).slice(1).join('\n');
  const subject = /^Subject:\s*(.*)$/im.exec(m.raw)?.[1] ?? '';
  return `${subject}\n${body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)))}`;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A portal on a given database and data folder, so a second one can take over the first one's rows. */
export async function startOn(db: string, dataDir: string, env: Record<string, string>, clock?: () => Date): Promise<RunningPortal & { logs: LogCapture }> {
  const logs = new LogCapture();
  const running = await startPortal(
    { NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', WRITE_LIMIT_PER_MINUTE: '1000', LAUNCH_LIMIT_PER_MINUTE: '1000', DATABASE_URL: db, ...env },
    { logDestination: logs, ...(clock ? { clock } : {}) },
  );
  return Object.assign(running, { logs });
}

export async function sharedDatabase() {
  const db = await freshDatabase('notify');
  const dataDir = mkdtempSync(join(tmpdir(), 'notify-test-'));
  return { ...db, dataDir, cleanup: async () => { await db.drop(); rmSync(dataDir, { recursive: true, force: true }); } };
}

/** A patient's reports in the sandbox whose code has the LOINC code. */
export async function reportsByCode(portal: RunningPortal, patientId: string, loinc: string): Promise<DiagnosticReport[]> {
  const all = (await portal.sandbox!.repo.searchResources(parseSearchRequest('DiagnosticReport', { subject: `Patient/${patientId}`, _count: '1000' }))) as unknown as DiagnosticReport[];
  return all.filter((r) => r.code?.coding?.some((c) => c.code === loinc));
}

/** Puts a resource into the sandbox EHR as a lab interface would (new version, new lastUpdated). */
export async function ehrCreate<T extends Resource>(portal: RunningPortal, resource: T): Promise<T> {
  return (await portal.sandbox!.repo.createResource(resource as never)) as unknown as T;
}

export async function countRows(portal: RunningPortal, sql: string, params: unknown[] = []): Promise<number> {
  const rows = (await portal.db.query(sql, params)) as { n: string | number }[];
  return Number(rows[0]?.n ?? 0);
}
