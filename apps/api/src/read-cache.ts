/**
 * The hot reads' answers (one release, a page of releases) kept as their JSON text for a short
 * time, per API process: TIDELINE_API_READ_CACHE_MS (default 250 ms; 0 turns it off).
 *
 * What a reader may see, exactly:
 * - a worker's commit shows within the TTL (an answer is kept for at most TTL from the moment
 *   its read began, so its snapshot is never older than that when served);
 * - a write through this API process (any POST/PUT/PATCH/DELETE that got an answer) shows at
 *   once: it drops every kept answer, and an answer read while it ran is not kept;
 * - concurrent misses for the same key share one read, unless a write came in between;
 * - a request with `Cache-Control: no-cache` (or no-store, max-age=0) is answered from a read of
 *   its own: the dashboard asks so for the snapshot its live stream's changes are applied to.
 */
import type { NextFunction, Request, Response } from 'express';

interface Entry {
  text: string;
  until: number;
}

interface Flight {
  generation: number;
  text: Promise<string>;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();
  /** bumped by every write through this process: reads begun before it are not kept */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 2_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The kept answer for `key`, or `read()`'s (kept for ttlMs unless a write went through
   * meanwhile); errors are not kept. `fresh` (a request's `Cache-Control: no-cache`) always reads,
   * and keeps what it read for the others.
   */
  async through(key: string, read: () => Promise<string>, fresh = false): Promise<string> {
    if (this.ttlMs <= 0) return read();
    const began = this.now();
    if (!fresh) {
      const hit = this.entries.get(key);
      if (hit && hit.until > began) return hit.text;
      const flight = this.flights.get(key);
      if (flight && flight.generation === this.generation) return flight.text;
    }

    const generation = this.generation;
    const text = read();
    this.flights.set(key, { generation, text });
    try {
      const answer = await text;
      if (generation === this.generation) this.keep(key, { text: answer, until: began + this.ttlMs });
      return answer;
    } finally {
      if (this.flights.get(key)?.text === text) this.flights.delete(key);
    }
  }

  /** A write went through this process: forget every answer, and keep none of the reads now running. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // the oldest kept first (a Map iterates in insertion order)
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Did the request ask for an answer read now (`Cache-Control: no-cache`, `no-store` or `max-age=0`)? */
export function wantsFresh(cacheControl: unknown): boolean {
  return typeof cacheControl === 'string' && /(?:^|,)\s*(?:no-cache|no-store|max-age\s*=\s*0)\s*(?:,|$)/i.test(cacheControl);
}

/**
 * Express middleware: a write request drops the cache once its answer has been handed to the
 * socket (after its commit, before the client can ask again), and again if the client went away.
 */
export function invalidateOnWrite(cache: ReadCache) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!READS.has(req.method)) {
      let done = false;
      const drop = () => {
        if (done) return;
        done = true;
        cache.invalidate();
      };
      res.once('finish', drop);
      res.once('close', drop);
    }
    next();
  };
}
