/**
 * Survives a Redis that forgets (restarted without persistence, FLUSHALL): every half sweep
 * interval the worker checks that the sweeper's schedule is still in Redis; when it is gone,
 * the schedules (sweeper, notification dispatcher) are put back and every stepping release's
 * tick and every overdue region operation is enqueued again from Postgres, the truth. Every
 * worker runs the check; the restores are idempotent (job ids carry the tick sequence).
 */
import type { WorkerContainer } from '#runtime';

export interface Watchdog {
  /** run one check now (also used when the queue reconnects) */
  check(): Promise<'ok' | 'restored' | 'unreachable'>;
  stop(): void;
}

/** A check never waits longer than this for Redis (with Redis away, ioredis queues commands). */
const CHECK_TIMEOUT_MS = 5_000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms}ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Put back what a Redis that lost its data forgot: every tick and overdue operation, the
 * dispatcher's schedule, and the sweeper's schedule last — it is the mark that the restore is
 * done, so a worker killed half-way leaves the next check (of any worker) to start again.
 */
export async function restoreQueues(c: WorkerContainer): Promise<void> {
  await c.sweepReleases.restoreAll();
  await c.sweepRegionOperations.execute();
  if (c.notifications.enabled) await c.notifications.jobs.scheduleDispatcher(c.notifications.pollIntervalMs);
  await c.queues.scheduleSweeper(c.config.engine.sweepIntervalMs);
}

export function startQueueWatchdog(c: WorkerContainer): Watchdog {
  const everyMs = Math.max(250, Math.floor(c.config.engine.sweepIntervalMs / 2));
  let running: Promise<'ok' | 'restored' | 'unreachable'> | null = null;
  const once = async (): Promise<'ok' | 'restored' | 'unreachable'> => {
    try {
      if (await within(c.queues.hasSweeper(), CHECK_TIMEOUT_MS)) return 'ok';
      c.log.warn({}, 'the sweeper schedule is gone from Redis (restarted empty or flushed): restoring schedules and ticks from Postgres');
      await within(restoreQueues(c), CHECK_TIMEOUT_MS * 4);
      return 'restored';
    } catch (err) {
      c.log.warn({ err: (err as Error).message }, 'queue check failed; trying again');
      return 'unreachable';
    }
  };
  const check = () => (running ??= once().finally(() => (running = null)));
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
