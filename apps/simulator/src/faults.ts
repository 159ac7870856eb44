/** Failure injection for the Kubernetes side: bad images and HTTP faults on the kube API. */

export interface HttpFaultSpec {
  /** Only requests for this region (default: any). */
  region?: string;
  /** Only requests with this HTTP method, case-insensitive (default: any). */
  method?: string;
  /** Answer with this status code (as a Kubernetes Status object) instead of serving. */
  status?: number;
  /** Wait this long before answering (the request is still served afterwards unless `status`). */
  delayMs?: number;
  /** How many matching requests this fault applies to (default 1). */
  count?: number;
}

export interface HttpFault {
  id: number;
  region?: string;
  method?: string;
  status?: number;
  delayMs?: number;
  remaining: number;
}

export class HttpFaults {
  private faults: HttpFault[] = [];
  private nextId = 1;

  add(spec: HttpFaultSpec): HttpFault {
    const fault: HttpFault = { id: this.nextId++, remaining: spec.count ?? 1 };
    if (spec.region !== undefined) fault.region = spec.region;
    if (spec.method !== undefined) fault.method = spec.method.toUpperCase();
    if (spec.status !== undefined) fault.status = spec.status;
    if (spec.delayMs !== undefined) fault.delayMs = spec.delayMs;
    this.faults.push(fault);
    return { ...fault };
  }

  /** Consumes one use of the oldest fault matching this request, if any. */
  take(region: string, method: string): HttpFault | undefined {
    const m = method.toUpperCase();
    const fault = this.faults.find((f) => (f.region === undefined || f.region === region) && (f.method === undefined || f.method === m));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  pending(): HttpFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}

export class BadImages {
  /** image → regions where it is bad (`undefined` = every region). */
  private images = new Map<string, Set<string> | undefined>();

  mark(image: string, regions?: string[]): void {
    if (!regions) {
      this.images.set(image, undefined);
      return;
    }
    if (this.images.has(image) && this.images.get(image) === undefined) return;
    const set = this.images.get(image) ?? new Set<string>();
    for (const r of regions) set.add(r);
    this.images.set(image, set);
  }

  isBad(image: string, region: string): boolean {
    if (!this.images.has(image)) return false;
    const regions = this.images.get(image);
    return regions === undefined || regions.has(region);
  }

  list(): Array<{ image: string; regions?: string[] }> {
    return [...this.images].map(([image, regions]) => (regions ? { image, regions: [...regions] } : { image }));
  }

  clear(): void {
    this.images.clear();
  }
}
