import type { AppServices } from './services.js';
import type { Sandbox } from './sandbox/types.js';

export interface Workers {
  stop(): Promise<void>;
}

/** Background work every node runs: purging expired sign-in state (more join as features land). */
export function startWorkers(s: AppServices, _sandbox: Sandbox | undefined): Workers {
  const timer = setInterval(() => {
    s.authRequests.purgeExpired().catch((e: Error) => s.logger.warn({ err: { type: e.name } }, 'purge of expired sign-ins failed'));
  }, 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
    },
  };
}
