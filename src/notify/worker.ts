import { randomUUID } from 'node:crypto';
import type { AppServices } from '../services.js';
import { Delivery } from './delivery.js';
import type { NotifyService } from './notify-service.js';

const errorInfo = (e: unknown) => ({ type: e instanceof Error ? e.name : typeof e, code: (e as { code?: unknown })?.code });

/**
 * Two loops on every node: detection (local triggers each tick; each EHR's change feed and
 * reminder scan every pollSeconds) and delivery (claim → send → mark until nothing is due). They
 * are separate so a slow or unreachable EHR never delays a send.
 */
export class NotifyWorker {
  private readonly abort = new AbortController();
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly delivery: Delivery;
  private readonly lastPoll = new Map<string, number>();
  private running: Promise<void>[] = [];
  private sleepers = new Set<() => void>();

  constructor(
    private readonly s: AppServices,
    private readonly n: NotifyService,
  ) {
    this.delivery = new Delivery(s, n.store, n.settings, n.channels, n.backends, this.owner);
  }

  start(): this {
    this.n.setWakeListener(() => this.wakeAll());
    this.running = [this.loop('detect', () => this.detectOnce()), this.loop('deliver', () => this.deliverAll())];
    return this;
  }

  async stop(): Promise<void> {
    this.n.setWakeListener(undefined);
    this.abort.abort();
    this.wakeAll();
    await Promise.allSettled(this.running);
  }

  /** One detection tick (tests call it directly instead of waiting). */
  async detectOnce(): Promise<void> {
    const d = this.n.detector;
    await this.step('overdue_writes', () => d.scanOverdueWrites());
    const now = this.s.clock().getTime();
    for (const [ehrId, backend] of this.n.backends) {
      if (this.abort.signal.aborted) return;
      const reg = this.s.registration(ehrId);
      await this.step('clinician_actions', () => d.scanClinicianActions(backend));
      await this.step('due_watches', () => d.scanDueWatches(backend));
      await this.step('sessions', () => d.snapshotNewSessions(backend));
      const woken = this.n.wakeups.delete(ehrId);
      if (!woken && now - (this.lastPoll.get(ehrId) ?? 0) < reg.changeDetection.pollSeconds * 1000) continue;
      this.lastPoll.set(ehrId, now);
      if (reg.changeDetection.mode === 'poll' || woken) await this.step('changes', () => d.pollChanges(backend));
      await this.step('appointments', () => d.scanAppointments(backend));
    }
  }

  /** Sends everything due now (bounded per tick). */
  async deliverAll(): Promise<void> {
    for (let i = 0; i < 100 && !this.abort.signal.aborted; i++) {
      const outcome = await this.delivery.deliverOne(this.abort.signal);
      if (outcome === 'none' || outcome === 'busy') return;
    }
  }

  private async step(name: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!this.abort.signal.aborted) this.s.logger.warn({ event: 'notify.step_failed', step: name, err: errorInfo(e) }, 'notification step failed; retrying next tick');
    }
  }

  private async loop(name: string, tick: () => Promise<void>): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await tick();
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.s.logger.warn({ event: 'notify.loop_failed', loop: name, err: errorInfo(e) }, 'notification loop failed; retrying');
      }
      await this.sleep(this.n.settings.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleepers.add(done);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.sleepers]) w();
  }
}
