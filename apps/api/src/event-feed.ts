/**
 * One poller per API process over release_events (commit order), fanned out to every open
 * stream. It polls only while someone listens. A subscriber joining with a resume cursor first
 * gets what it missed (up to the feed's position), then the live events: no gap, no repeat.
 */
import { EventFeedStore, compareCursor, type Db, type FeedCursor, type FeedItem } from '#persistence';

export interface FeedSubscriber {
  /** only this release's events (all when undefined) */
  releaseId?: string;
  send(items: FeedItem[]): void;
  /** caught up: live events follow; `cursor` is where the subscriber stands */
  ready(cursor: FeedCursor): void;
  /** the subscriber fell too far behind (more than a catch-up page): it should reload */
  reset(): void;
}

const POLL_MS = 200;
const PAGE = 500;

export const formatCursor = (c: FeedCursor) => `${c.tx}-${c.id}`;
export function parseCursor(s: string | undefined): FeedCursor | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(s?.trim() ?? '');
  return m ? { tx: m[1]!, id: m[2]! } : null;
}

export class EventFeed {
  private readonly store: EventFeedStore;
  private readonly subscribers = new Set<FeedSubscriber>();
  private cursor: FeedCursor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private joining = 0;
  private stopped = false;

  constructor(
    db: Db,
    private readonly log: { warn(o: object, m?: string): void },
  ) {
    this.store = new EventFeedStore(db);
  }

  /**
   * Join the feed; `from` resumes after a cursor. The subscriber gets what it missed, then
   * `ready(cursor)`, then live events (held back meanwhile), in commit order. Returns an unsubscribe.
   */
  async subscribe(sub: FeedSubscriber, from: FeedCursor | null): Promise<() => void> {
    this.joining++;
    let held: FeedItem[] | null = [];
    // Another API process may be ahead of this one: never send what the subscriber already has.
    const newer = (items: FeedItem[]) => (from ? items.filter((i) => compareCursor(i.cursor, from) > 0) : items);
    const member: FeedSubscriber = {
      ...sub,
      send: (items) => {
        if (held) held.push(...items);
        else if (newer(items).length > 0) sub.send(newer(items));
      },
    };
    let position: FeedCursor;
    try {
      await this.ensureStarted();
      // Wait for a poll in flight so the catch-up range and the live range meet exactly.
      while (this.running) await this.running;
      position = this.cursor!;
      this.subscribers.add(member);
    } finally {
      this.joining--;
    }
    try {
      if (from && compareCursor(from, position) < 0) {
        const missed = await this.store.after(from, PAGE + 1, { to: position, ...(sub.releaseId ? { releaseId: sub.releaseId } : {}) });
        if (missed.length > PAGE) sub.reset();
        else if (missed.length > 0) sub.send(missed);
      }
      sub.ready(from && compareCursor(from, position) > 0 ? from : position);
    } catch (err) {
      this.subscribers.delete(member);
      throw err;
    }
    const pending = held;
    held = null;
    if (newer(pending).length > 0) sub.send(newer(pending));
    return () => this.subscribers.delete(member);
  }

  get listeners(): number {
    return this.subscribers.size;
  }

  onModuleDestroy(): void {
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async ensureStarted(): Promise<void> {
    if (this.cursor) return;
    this.starting ??= this.store.head().then(
      (head) => {
        this.cursor = head;
        this.starting = null;
        this.schedule();
      },
      (err: unknown) => {
        this.starting = null;
        throw err;
      },
    );
    await this.starting;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.subscribers.size === 0 && this.joining === 0) {
        // Nobody listens: forget the position; the next subscriber starts from "now".
        this.cursor = null;
        return;
      }
      this.running = this.poll().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, POLL_MS);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      for (;;) {
        const items = await this.store.after(this.cursor!, PAGE);
        if (items.length === 0) return;
        this.cursor = items[items.length - 1]!.cursor;
        for (const sub of this.subscribers) {
          const mine = sub.releaseId ? items.filter((i) => i.event.releaseId === sub.releaseId) : items;
          if (mine.length > 0) sub.send(mine);
        }
        if (items.length < PAGE) return;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'event stream poll failed; retrying');
    }
  }
}
