/**
 * Redis connection state of BullMQ queues and workers, logged as one JSON line per change
 * (down with the reason, up again) instead of an error — or a printed stack — per retry.
 */
import type { QueueBase } from 'bullmq';

interface LogLike {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export class RedisConnectionLog {
  /** component → "up" | the reason it is down */
  private readonly state = new Map<string, string>();

  constructor(private readonly log: LogLike) {}

  /** Listen to a Queue or Worker (it then never prints an unhandled 'error' itself). */
  watch(component: string, emitter: QueueBase): void {
    emitter.on('error', (err: Error & { code?: string }) => this.down(component, err));
    emitter.backend.on('ready', () => this.up(component));
  }

  down(component: string, err: Error & { code?: string }): void {
    const reason = err.code ?? err.message;
    if (this.state.get(component) === reason) return;
    this.state.set(component, reason);
    this.log.error({ component, redis: 'down', err: err.message, ...(err.code ? { code: err.code } : {}) }, 'redis connection lost');
  }

  up(component: string): void {
    const before = this.state.get(component);
    this.state.set(component, 'up');
    if (before !== undefined && before !== 'up') this.log.info({ component, redis: 'up' }, 'redis connection back');
  }

  /** components whose connection is down now */
  downComponents(): string[] {
    return [...this.state].filter(([, s]) => s !== 'up').map(([c]) => c);
  }
}
