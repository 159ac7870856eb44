/** JSON view of a notification delivery (never the message text or any secret). */
import type { DeliveryRecord } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    releaseId: d.releaseId,
    eventId: d.eventId,
    eventType: d.eventType,
    severity: d.severity,
    destination: d.destination,
    status: d.status,
    attempts: d.attempts,
    failures: d.failures,
    lastError: d.lastError,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    messageTs: d.externalId,
    sentAt: iso(d.sentAt),
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}
