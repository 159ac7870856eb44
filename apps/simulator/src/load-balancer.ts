/**
 * The simulated global load balancer: one weight (0..100) per region. A weight change ramps
 * linearly from the current value to the target over `rampMs`, so a drain takes measurable time.
 */

interface Ramp {
  from: number;
  to: number;
  startAt: number;
  endAt: number;
}

export interface LbEntry {
  region: string;
  /** The current (ramped) weight. */
  weight: number;
  /** Where the weight is heading (equal to `weight` once a ramp is over). */
  targetWeight: number;
}

export const DEFAULT_WEIGHT = 100;

export class LoadBalancer {
  private ramps = new Map<string, Ramp>();

  constructor(
    private readonly regions: readonly string[],
    readonly rampMs: number,
  ) {
    this.reset(0);
  }

  reset(now: number): void {
    this.ramps = new Map(this.regions.map((r) => [r, { from: DEFAULT_WEIGHT, to: DEFAULT_WEIGHT, startAt: now, endAt: now }]));
  }

  has(region: string): boolean {
    return this.ramps.has(region);
  }

  weightAt(region: string, t: number): number {
    const r = this.ramps.get(region);
    if (!r) return 0;
    if (t >= r.endAt) return r.to;
    if (t <= r.startAt) return r.from;
    return r.from + ((r.to - r.from) * (t - r.startAt)) / (r.endAt - r.startAt);
  }

  target(region: string): number {
    return this.ramps.get(region)?.to ?? 0;
  }

  /** Starts a ramp from the weight at `now` to `weight`. */
  set(region: string, weight: number, now: number): void {
    if (!this.ramps.has(region)) throw new Error(`unknown region "${region}"`);
    if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new Error('weight must be a number from 0 to 100');
    const from = this.weightAt(region, now);
    this.ramps.set(region, { from, to: weight, startAt: now, endAt: now + (from === weight ? 0 : this.rampMs) });
  }

  /** True when some region's weight is changing somewhere inside (a, b). */
  rampingWithin(a: number, b: number): boolean {
    for (const r of this.ramps.values()) if (r.startAt < b && r.endAt > a && r.from !== r.to) return true;
    return false;
  }

  /** Ramp starts and ends after `t` (where the weights stop being linear). */
  breakpointsAfter(t: number): number[] {
    const out: number[] = [];
    for (const r of this.ramps.values()) {
      if (r.startAt > t) out.push(r.startAt);
      if (r.endAt > t) out.push(r.endAt);
    }
    return out;
  }

  entry(region: string, now: number): LbEntry {
    return { region, weight: round(this.weightAt(region, now)), targetWeight: this.target(region) };
  }

  entries(now: number): LbEntry[] {
    return this.regions.map((r) => this.entry(r, now));
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
