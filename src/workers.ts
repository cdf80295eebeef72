import type { AppServices } from './services.js';
import type { Sandbox } from './sandbox/types.js';
import { OutboxWorker } from './outbox/worker.js';
import { NotifyWorker } from './notify/worker.js';

export interface Workers {
  stop(): Promise<void>;
}

/** Background work every node runs: purging expired sign-in state, the active-session gauge, outbox delivery, notifications. */
export function startWorkers(s: AppServices, _sandbox: Sandbox | undefined): Workers {
  const timer = setInterval(() => {
    s.authRequests.purgeExpired().catch((e: Error) => s.logger.warn({ err: { type: e.name } }, 'purge of expired sign-ins failed'));
    s.sessions.countActive().then(
      (n) => s.metrics.activeSessions.set(n),
      () => undefined,
    );
  }, 60_000);
  timer.unref();
  const outbox = new OutboxWorker(s);
  outbox.start();
  const notify = new NotifyWorker(s, s.notify).start();
  return {
    async stop() {
      clearInterval(timer);
      await outbox.stop();
      await notify.stop();
    },
  };
}
