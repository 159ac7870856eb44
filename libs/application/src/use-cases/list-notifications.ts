/** Read side of notifications: each delivery with its destination, status, attempts and last error. */
import type { DeliveryFilter, DeliveryRecord, NotificationStore } from '#persistence';

export class ListNotifications {
  constructor(private readonly store: NotificationStore) {}

  execute(filter: DeliveryFilter): Promise<{ items: DeliveryRecord[]; total: number }> {
    return this.store.list(filter);
  }
}
