/** The release's events, newest first: time, actor, reason; operator actions stand out; the notifications sent for each. */
import type { DeliveryView, EventView } from '#view-types';
import { isGateEvent, isOperatorAction } from '../logic/release-model.js';

export function Timeline({ events, deliveries }: { events: EventView[]; deliveries: DeliveryView[] }) {
  const byEvent = new Map<string, DeliveryView[]>();
  for (const d of deliveries) byEvent.set(String(d.eventId), [...(byEvent.get(String(d.eventId)) ?? []), d]);
  return (
    <ol className="timeline" data-testid="timeline">
      {[...events].reverse().map((e) => {
        const sent = byEvent.get(String(e.id)) ?? [];
        const cls = isOperatorAction(e) ? 'operator' : isGateEvent(e) ? 'gate-event' : '';
        return (
          <li key={e.id} className={cls} data-type={e.type}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
            <span className="etype">{e.type}</span>
            {e.region && <span className="eregion">{e.region}</span>}
            <span className="actor" data-testid="event-actor">
              {e.actor}
            </span>
            {e.reason && <span className="ereason">{e.reason}</span>}
            {sent.length > 0 && (
              <span className="sent">
                {sent.map((d) => (
                  <span key={d.id} className={`delivery d-${d.status}`} title={d.lastError ?? undefined}>
                    {d.destination}: {d.status}
                  </span>
                ))}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
