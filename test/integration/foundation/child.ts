import { runScript, type ScriptProcess } from '../helpers/processes.js';

export { freePort } from '../helpers/processes.js';

/** The environment a child gets: nothing inherited but PATH and HOME, so no stray setting leaks in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...extra };
}

export type MainProcess = ScriptProcess;

/** `src/main.ts` as a child process, as `npm start` runs it. */
export function startMain(env: NodeJS.ProcessEnv): MainProcess {
  return runScript('src/main.ts', env, /fhir-portal-adapter is running at/);
}

/** Lines a dependency prints on import whatever happens (oidc-provider on Node 20); not ours. */
export function ownLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('oidc-provider WARNING'));
}
