import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

export { freePort } from '../helpers/processes.js';

/** The environment a child gets: nothing inherited but PATH and HOME, so no stray setting leaks in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...extra };
}

export interface MainProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves once the start-up banner is printed; rejects if the process exits first. */
  ready: Promise<void>;
}

/** `tsx src/main.ts` as a child process, as `npm start` runs it. */
export function startMain(env: NodeJS.ProcessEnv): MainProcess {
  const child = spawn(TSX, ['src/main.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('fhir-portal-adapter is running at')) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`main exited with ${code} before it was ready: ${err.slice(-2000)}`));
    });
  });
  ready.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, exited, ready };
}

/** Lines a dependency prints on import whatever happens (oidc-provider on Node 20); not ours. */
export function ownLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('oidc-provider WARNING'));
}
