/** The metrics source of a region without one: every query answers an error (its gates report `error`, never pass). */
import type { MetricsSource } from '#application';
import type { QueryOutcome } from '#domain';

export class UnavailableMetricsSource implements MetricsSource {
  constructor(private readonly why: string) {}

  query(): Promise<QueryOutcome> {
    return Promise.resolve({ ok: false, error: this.why, durationMs: 0 });
  }
}
