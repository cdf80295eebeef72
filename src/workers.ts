import type { AppServices } from './services.js';
import type { Sandbox } from './sandbox/types.js';
import { OutboxWorker } from './outbox/worker.js';

export interface Workers {
  stop(): Promise<void>;
}

/** Background work every node runs: purging expired sign-in state, delivering the outbox (more join as features land). */
export function startWorkers(s: AppServices, _sandbox: Sandbox | undefined): Workers {
  const timer = setInterval(() => {
    s.authRequests.purgeExpired().catch((e: Error) => s.logger.warn({ err: { type: e.name } }, 'purge of expired sign-ins failed'));
  }, 60_000);
  timer.unref();
  const outbox = new OutboxWorker(s);
  outbox.start();
  return {
    async stop() {
      clearInterval(timer);
      await outbox.stop();
    },
  };
}
