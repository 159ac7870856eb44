import type { Clock } from '../../../application/src/index.js';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
