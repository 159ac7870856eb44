/** The Clock seam's one production implementation: the system's time (tests use manual clocks of their own). */
import type { Clock } from '#application';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
