/** Notification tables: one delivery per (event, destination), Slack threads, the dispatch cursor. */
import { EntitySchema } from 'typeorm';
import type { Severity } from '#domain';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  id: string;
  /** release_events.id (bigint, as a string) */
  eventId: string;
  releaseId: string;
  /** `slack` or `webhook:<name>` */
  destination: string;
  eventType: string;
  severity: Severity;
  status: DeliveryStatus;
  /** sends tried (each claim) */
  attempts: number;
  /** failed attempts that count towards dead-lettering (rate limits do not) */
  failures: number;
  lastError: string | null;
  nextAttemptAt: Date;
  /** while `sending`: no other worker claims the delivery before this */
  leaseUntil: Date | null;
  /** Slack ts of the posted message, once posted */
  externalId: string | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ThreadRecord {
  releaseId: string;
  destination: string;
  channel: string;
  /** ts of the parent message; null while it is being posted (or after a crash during that post) */
  parentTs: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CursorRecord {
  name: string;
  /** release_events.tx_id (xid8) of the last dispatched event, as a decimal string */
  lastTxId: string;
  lastEventId: string;
  updatedAt: Date;
}

const ts = (name: string, nullable = true) => ({ type: 'timestamptz' as const, name, nullable });

export const DeliveryEntity = new EntitySchema<DeliveryRecord>({
  name: 'NotificationDelivery',
  tableName: 'notification_deliveries',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    eventId: { type: 'bigint', name: 'event_id' },
    releaseId: { type: 'uuid', name: 'release_id' },
    destination: { type: 'text' },
    eventType: { type: 'text', name: 'event_type' },
    severity: { type: 'text' },
    status: { type: 'text' },
    attempts: { type: 'integer', default: 0 },
    failures: { type: 'integer', default: 0 },
    lastError: { type: 'text', name: 'last_error', nullable: true },
    nextAttemptAt: ts('next_attempt_at', false),
    leaseUntil: ts('lease_until'),
    externalId: { type: 'text', name: 'external_id', nullable: true },
    sentAt: ts('sent_at'),
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  uniques: [{ name: 'uq_notification_deliveries_event_destination', columns: ['eventId', 'destination'] }],
  indices: [
    { name: 'ix_notification_deliveries_thread', columns: ['releaseId', 'destination', 'eventId'] },
    { name: 'ix_notification_deliveries_created', columns: ['createdAt'] },
  ],
  foreignKeys: [
    {
      name: 'fk_notification_deliveries_event',
      columnNames: ['eventId'],
      target: 'ReleaseEvent',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
    },
    {
      name: 'fk_notification_deliveries_release',
      columnNames: ['releaseId'],
      target: 'Release',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
    },
  ],
});

export const ThreadEntity = new EntitySchema<ThreadRecord>({
  name: 'NotificationThread',
  tableName: 'notification_threads',
  columns: {
    releaseId: { type: 'uuid', name: 'release_id', primary: true },
    destination: { type: 'text', primary: true },
    channel: { type: 'text' },
    parentTs: { type: 'text', name: 'parent_ts', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  foreignKeys: [
    {
      name: 'fk_notification_threads_release',
      columnNames: ['releaseId'],
      target: 'Release',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
    },
  ],
});

export const CursorEntity = new EntitySchema<CursorRecord>({
  name: 'NotificationCursor',
  tableName: 'notification_cursors',
  columns: {
    name: { type: 'text', primary: true },
    lastTxId: { type: 'bigint', name: 'last_tx_id' },
    lastEventId: { type: 'bigint', name: 'last_event_id' },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});

export const NOTIFICATION_ENTITIES = [DeliveryEntity, ThreadEntity, CursorEntity];
