/**
 * Group commit: writes that arrive while earlier ones are in flight wait, and go together in one
 * transaction as soon as a slot frees (so do writes submitted in one turn of the event loop). Idle, a write goes alone at once (no added wait); busy,
 * the round trips and the commit of one transaction are shared by every write in it. Writes that
 * share a key (e.g. one service) never go in the same batch nor in two batches at once: they go
 * one after the other, in arrival order. A batch that fails wrote nothing (one transaction): each of its writes is then
 * tried alone (`one`, which may take another way), so a write fails only if it fails on its own.
 */
export interface GroupCommitOptions<I, O> {
  /** batches in flight at once */
  slots: number;
  /** writes per batch at most */
  maxBatch: number;
  /** writes sharing a key never go in one batch */
  keys(item: I): readonly string[];
  /** write a batch (one or more) in one transaction: an outcome per item, in the order given */
  many(items: readonly I[]): Promise<O[]>;
  /** write one alone, after its batch failed */
  one(item: I): Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  resolve(outcome: O): void;
  reject(err: unknown): void;
}

export class GroupCommit<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private inFlight = 0;
  private readonly keysInFlight = new Set<string>();
  private scheduled = false;

  constructor(private readonly opts: GroupCommitOptions<I, O>) {
    if (opts.slots < 1 || opts.maxBatch < 1) throw new Error('GroupCommit: slots and maxBatch must be at least 1');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Writes submitted in the same turn of the event loop (before any await) go together.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** writes waiting for a slot (for tests and metrics) */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.opts.slots && this.waiting.length > 0) {
      const { batch, keys } = this.take();
      if (batch.length === 0) return; // every waiting write shares a key with a batch in flight
      this.inFlight++;
      for (const k of keys) this.keysInFlight.add(k);
      void this.write(batch).finally(() => {
        this.inFlight--;
        for (const k of keys) this.keysInFlight.delete(k);
        this.pump();
      });
    }
  }

  /**
   * The oldest waiting writes whose keys meet neither each other nor a batch in flight, up to
   * maxBatch; the rest keep their order. A write passed over blocks its keys for later ones, so
   * writes sharing a key go in arrival order.
   */
  private take(): { batch: Array<Waiting<I, O>>; keys: Set<string> } {
    const used = new Set<string>();
    const passed = new Set<string>(this.keysInFlight);
    const batch: Array<Waiting<I, O>> = [];
    const rest: Array<Waiting<I, O>> = [];
    for (const w of this.waiting) {
      const keys = this.opts.keys(w.item);
      if (batch.length < this.opts.maxBatch && keys.every((k) => !used.has(k) && !passed.has(k))) {
        for (const k of keys) used.add(k);
        batch.push(w);
      } else {
        for (const k of keys) passed.add(k);
        rest.push(w);
      }
    }
    this.waiting = rest;
    return { batch, keys: used };
  }

  private async write(batch: Array<Waiting<I, O>>): Promise<void> {
    let outcomes: O[] | null = null;
    try {
      outcomes = await this.opts.many(batch.map((w) => w.item));
    } catch {
      // nothing of the batch was written: each goes alone below
    }
    if (outcomes) batch.forEach((w, i) => w.resolve(outcomes[i]!));
    else await Promise.all(batch.map((w) => this.opts.one(w.item).then(w.resolve, w.reject)));
  }
}
