/**
 * In-memory traffic provider (the engine's `TrafficProviders` port): each region's weight
 * (100 unless set), every call logged in order, regions with provider `none`, and regions whose
 * provider fails. Weights can drive a FakeMetrics request rate (see `rateAfterDrain`).
 */
import type { Clock, TrafficProvider, TrafficProviders } from '#application';

export interface TrafficCall {
  region: string;
  op: 'getWeight' | 'setWeight';
  weight?: number;
  atMs: number;
}

export class FakeTraffic implements TrafficProviders {
  readonly calls: TrafficCall[] = [];
  private readonly weights = new Map<string, number>();
  /** when each region's weight was last set to 0 */
  private readonly zeroedAt = new Map<string, number>();
  private readonly none = new Set<string>();
  private readonly broken = new Map<string, Error>();

  constructor(private readonly clock: Clock) {}

  weight(region: string): number {
    return this.weights.get(region) ?? 100;
  }

  /** The region has traffic provider `none`. */
  withoutProvider(region: string): this {
    this.none.add(region);
    return this;
  }

  /** Every call for the region throws this. */
  breakRegion(region: string, error = new Error(`traffic provider for ${region}: 502 Bad Gateway`)): this {
    this.broken.set(region, error);
    return this;
  }

  /**
   * A request rate for FakeMetrics: `full` while the region has weight, falling to `residual`
   * only `lagMs` after its weight was set to 0 (clients take time to move).
   */
  rateAfterDrain(region: string, full: number, lagMs: number, residual = 0): (atMs: number) => number {
    return (atMs) => {
      const zeroed = this.zeroedAt.get(region);
      return this.weight(region) === 0 && zeroed !== undefined && atMs >= zeroed + lagMs ? residual : full;
    };
  }

  forRegion(region: string): TrafficProvider | null {
    if (this.none.has(region)) return null;
    return {
      getWeight: async () => {
        this.log(region, 'getWeight');
        return this.weight(region);
      },
      setWeight: async (r, weight) => {
        this.log(r, 'setWeight', weight);
        this.weights.set(r, weight);
        if (weight === 0) this.zeroedAt.set(r, this.clock.now().getTime());
      },
    };
  }

  private log(region: string, op: TrafficCall['op'], weight?: number): void {
    this.calls.push({ region, op, ...(weight !== undefined ? { weight } : {}), atMs: this.clock.now().getTime() });
    const error = this.broken.get(region);
    if (error) throw error;
  }
}
