/** A clock that moves only when the test moves it (the engine's `Clock` port). */
import type { Clock } from '#application';

export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-01-05T10:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error(`a manual clock does not go back (advance ${ms})`);
    this.ms += ms;
  }

  /** Move to `ms` (never backwards). */
  setMs(ms: number): void {
    if (ms < this.ms) throw new Error(`a manual clock does not go back (${new Date(ms).toISOString()} < ${this.now().toISOString()})`);
    this.ms = ms;
  }
}
