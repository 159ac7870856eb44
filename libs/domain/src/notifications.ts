/**
 * Which release events people are told about, and how loudly (PRODUCT.md "Notifications").
 * One pure table keyed by the event catalogue (events.ts): an event type missing from it is
 * never notified (the many intermediate steps — recorded, patched, baking… — and any type
 * added later until it is listed here); a key that is not an event type does not compile.
 */
import type { EventType } from './events.js';

export const SEVERITIES = ['info', 'warning', 'failure'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface NotificationKind {
  severity: Severity;
  /** Short title of the message, e.g. "Region verified". */
  title: string;
}

export const NOTIFICATION_KINDS = Object.freeze({
  'release.created': { severity: 'info', title: 'Release created' },
  'release.started': { severity: 'info', title: 'Release started' },
  'stage.started': { severity: 'info', title: 'Stage started' },
  'region.verified': { severity: 'info', title: 'Region verified' },
  'region.failed': { severity: 'failure', title: 'Region failed' },
  'region.blocked': { severity: 'warning', title: 'Region blocked' },
  'region.unblocked': { severity: 'info', title: 'Region unblocked' },
  'region.draining': { severity: 'warning', title: 'Draining region' },
  'region.drained': { severity: 'warning', title: 'Region drained' },
  'gate.failed': { severity: 'failure', title: 'Gate failed' },
  'gate.errors': { severity: 'warning', title: 'Gate cannot be evaluated' },
  'release.paused': { severity: 'warning', title: 'Release paused' },
  'release.resumed': { severity: 'info', title: 'Release resumed' },
  'release.awaiting_approval': { severity: 'warning', title: 'Awaiting approval' },
  'release.rolling_back': { severity: 'failure', title: 'Rollback started' },
  'release.rolled_back': { severity: 'failure', title: 'Rollback finished' },
  'release.failed': { severity: 'failure', title: 'Release failed' },
  'release.succeeded': { severity: 'info', title: 'Release succeeded' },
  'release.cancelled': { severity: 'warning', title: 'Release cancelled' },
  'release.superseded': { severity: 'info', title: 'Release superseded' },
} as const satisfies Partial<Record<EventType, NotificationKind>>);

/** The event types people are told about. */
export type NotifiedEventType = keyof typeof NOTIFICATION_KINDS;

/** Their names, as a configuration's `events` filter lists them. */
export const NOTIFIABLE_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(NOTIFICATION_KINDS));

export function isNotified(eventType: string): eventType is NotifiedEventType {
  return Object.hasOwn(NOTIFICATION_KINDS, eventType);
}

/** The kind of an event type (a stored event's type string), or undefined when it is not notified. */
export function notificationKind(eventType: string): NotificationKind | undefined {
  return isNotified(eventType) ? NOTIFICATION_KINDS[eventType] : undefined;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, failure: 2 };

/** The severity filter: `minSeverity: warning` lets warnings and failures through. */
export function passesSeverity(severity: Severity, minSeverity: Severity): boolean {
  return RANK[severity] >= RANK[minSeverity];
}

/** Whether a destination with this filter is told about an event type. */
export function wantsEvent(eventType: string, filter: { minSeverity: Severity; events?: readonly string[] }): boolean {
  const kind = notificationKind(eventType);
  if (!kind) return false;
  if (filter.events && !filter.events.includes(eventType)) return false;
  return passesSeverity(kind.severity, filter.minSeverity);
}
