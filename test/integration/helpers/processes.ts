import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A project script running in its own Node process, with what it has printed so far. */
export interface ScriptProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves once stdout matches the ready pattern; rejects if the process exits first or takes over a minute. */
  ready: Promise<void>;
}

/**
 * Runs one of the project's scripts (`src/main.ts`, `src/sandbox/serve.ts`) under tsx with exactly
 * the given environment.
 */
export function runScript(script: string, env: NodeJS.ProcessEnv, readyWhen: RegExp): ScriptProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${(out + err).slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (readyWhen.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready: ${(out + err).slice(-2000)}`));
    });
  });
  ready.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, exited, ready };
}

/** runScript with only PATH inherited, resolved once the script is ready. */
export async function startProcess(script: string, env: Record<string, string>, readyWhen: RegExp): Promise<ChildProcess> {
  const p = runScript(script, { PATH: process.env.PATH ?? '', ...env }, readyWhen);
  await p.ready;
  return p.child;
}
