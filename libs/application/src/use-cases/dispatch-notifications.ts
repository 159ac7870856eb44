/**
 * The dispatcher (`notifications.dispatch` job): turns new release events into deliveries,
 * one per (event, destination) that wants it, and enqueues the ones that can go now. It also
 * re-enqueues open deliveries whose job was lost (Postgres is the truth, the queue a hint).
 * The rollout never waits for it: it runs on its own queue, after the engine has committed.
 */
import { notificationKind, wantsEvent } from '#domain';
import type { DispatchEvent, NewDelivery, NotificationStore } from '#persistence';
import type { DeliveryScheduler, NotificationDestinations } from '../notifications/ports.js';
import type { Logger } from '../ports.js';

const BATCH = 200;
const MAX_BATCHES = 25;
/**
 * Events first seen later than this are not posted: the dispatcher normally sees an event
 * within seconds, so an older one was written while notifications were off (or no worker ran
 * for an hour), and a burst of stale messages would mislead more than it informs.
 */
export const STALE_EVENT_MS = 3_600_000;

export class DispatchNotifications {
  constructor(
    private readonly store: NotificationStore,
    private readonly destinations: NotificationDestinations,
    private readonly scheduler: DeliveryScheduler,
    private readonly log: Logger,
  ) {}

  /** The deliveries a batch of events calls for (pure routing and filtering). */
  plan(events: DispatchEvent[]): NewDelivery[] {
    const out: NewDelivery[] = [];
    for (const e of events) {
      const kind = notificationKind(e.type);
      if (!kind || e.ageMs > STALE_EVENT_MS) continue;
      for (const dest of this.destinations.all()) {
        if (!dest.accepts(e.service) || !wantsEvent(e.type, dest.filter)) continue;
        out.push({ eventId: e.id, releaseId: e.releaseId, destination: dest.name, eventType: e.type, severity: kind.severity });
      }
    }
    return out;
  }

  async execute(): Promise<{ events: number; created: number; requeued: number }> {
    if (this.destinations.all().length === 0) return { events: 0, created: 0, requeued: 0 };
    let events = 0;
    let created = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const batch = await this.store.dispatch(BATCH, (e) => this.plan(e));
      if (batch.busy) break;
      events += batch.events;
      created += batch.created.length;
      // Only the first new delivery of a thread can be ready; the rest follow it in order.
      const firsts = new Map<string, string>();
      for (const d of batch.created)
        if (!firsts.has(`${d.releaseId}/${d.destination}`)) firsts.set(`${d.releaseId}/${d.destination}`, d.id);
      for (const id of firsts.values()) await this.scheduler.enqueueDelivery(id, '0', 0);
      if (batch.events < BATCH) break;
    }
    const due = await this.store.due();
    for (const d of due) await this.scheduler.enqueueDelivery(d.id, String(d.attempts), 0);
    if (created > 0) this.log.info({ events, created }, 'notifications dispatched');
    return { events, created, requeued: due.length };
  }
}
