/**
 * Event → message, pure: what a notification says about one release event. Renderers (Slack
 * Block Kit, webhook JSON) only lay it out. Event data is read through the event catalogue's
 * types (libs/domain/src/events.ts: a renamed field does not compile) and defensively: any
 * field may be missing or of an unexpected type (events written by older or newer code).
 */
import { notificationKind, readEvent, type Severity } from '#domain';
import type { EventRecord, ReleaseRecord } from '#persistence';

export interface ReleaseSummary {
  id: string;
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  state: string;
  stateReason: string | null;
  plan: string;
  stages: Array<{ name: string; regions: string[] }>;
  currentStage: string | null;
  requestedBy: string | null;
  /** link to the release in the dashboard */
  url: string;
}

export interface MessageField {
  label: string;
  value: string;
}

export interface NotificationMessage {
  eventId: string;
  eventType: string;
  severity: Severity;
  title: string;
  /** one line saying what happened */
  text: string;
  region: string | null;
  stage: string | null;
  fields: MessageField[];
  actor: string;
  at: Date;
  reason: string | null;
  fromState: string | null;
  toState: string | null;
  data: Record<string, unknown> | null;
  release: ReleaseSummary;
}

export const DEFAULT_APPROVERS = 'anyone with the releases:operate scope';

export function summarizeRelease(r: ReleaseRecord, dashboardUrl: string): ReleaseSummary {
  return {
    id: r.id,
    service: r.service,
    version: r.version,
    image: r.image,
    releaseNumber: r.releaseNumber,
    state: r.state,
    stateReason: r.stateReason,
    plan: r.plan.planName,
    stages: r.plan.stages.map((s) => ({ name: s.name, regions: s.regions.map((x) => x.region) })),
    currentStage: r.plan.stages[r.stageIndex]?.name ?? null,
    requestedBy: r.requestedBy,
    url: `${dashboardUrl.replace(/\/+$/, '')}/releases/${r.id}`,
  };
}

/** "canary (us-west) → wave-1 (eu-west, eu-central) → …" */
export function describePlan(release: ReleaseSummary): string {
  return release.stages.map((s) => `${s.name} (${s.regions.join(', ')})`).join(' → ');
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/** A measured value or threshold, readable whatever its shape: 0.0312, "< 0.01", {op, value}, [..]. */
export function formatValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => formatValue(x) ?? '?').join(', ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const op = str(o['op']) ?? str(o['operator']);
    const value = formatValue(o['value']);
    if (op && value) return `${op} ${value}`;
    if (value) return value;
    return JSON.stringify(v).slice(0, 200);
  }
  return null;
}

/** Build the message for an event, or null when the event type is not notified. */
export function buildMessage(event: EventRecord, release: ReleaseRecord, dashboardUrl: string): NotificationMessage | null {
  const kind = notificationKind(event.type);
  const e = readEvent(event);
  if (!kind || !e) return null;
  const summary = summarizeRelease(release, dashboardUrl);
  const region = event.region ?? str(e.data?.region);
  const stage =
    str(e.data?.stage) ?? (region ? (release.plan.stages.find((s) => s.regions.some((x) => x.region === region))?.name ?? null) : null);
  const reason = event.reason ?? str(e.data?.reason);
  const fields: MessageField[] = [];
  const field = (label: string, value: string | null) => {
    if (value) fields.push({ label, value });
  };
  const who = `${summary.service} ${summary.version}`;
  let title = kind.title;
  let text: string;

  switch (e.type) {
    case 'release.created':
      if (event.toState === 'queued') {
        title = 'Release queued';
        text = `${who} is queued behind the active release of ${summary.service}`;
      } else {
        title = 'Release started';
        text = `${who} is rolling out: ${describePlan(summary)}`;
      }
      break;
    case 'release.started':
      text = `${who} is rolling out: ${describePlan(summary)}`;
      break;
    case 'stage.started': {
      const regions = summary.stages.find((s) => s.name === stage)?.regions ?? [];
      title = stage === 'canary' ? 'Canary started' : 'Wave started';
      text = `${stage ?? 'next stage'} started${regions.length > 0 ? `: ${regions.join(', ')}` : ''}`;
      break;
    }
    case 'gate.failed': {
      const gate = str(e.data?.gate) ?? 'a gate';
      const observed = formatValue(e.data?.observed);
      const threshold = formatValue(e.data?.threshold);
      text = `${gate} failed${region ? ` in ${region}` : ''}${observed !== null ? `: ${observed}` : ''}${threshold !== null ? ` (threshold ${threshold})` : ''}`;
      field('Gate', gate);
      field('Observed', observed);
      field('Threshold', threshold);
      field('Verdict', str(e.data?.verdict));
      break;
    }
    case 'gate.errors':
      text = `${str(e.data?.gate) ?? 'a gate'} could not be evaluated${region ? ` in ${region}` : ''}; the release is paused`;
      field('Gate', str(e.data?.gate));
      break;
    case 'release.awaiting_approval': {
      const named: unknown = e.data?.approvers;
      const approvers = Array.isArray(named) ? named.map(str).filter((x): x is string => x !== null) : [];
      const list = approvers.length > 0 ? approvers.join(', ') : (str(named) ?? DEFAULT_APPROVERS);
      text = `${stage ?? 'the next stage'} needs approval before it starts`;
      field('Who can approve', list);
      field('Approve', `POST /v1/releases/${summary.id}/approve`);
      break;
    }
    case 'release.rolling_back':
      text = `rolling back${str(e.data?.policy) ? ` (policy ${str(e.data?.policy)})` : ''}`;
      break;
    case 'release.succeeded': {
      const n = summary.stages.reduce((sum, s) => sum + s.regions.length, 0);
      text = `${who} runs in all ${n} region${n === 1 ? '' : 's'}`;
      break;
    }
    case 'release.superseded':
      text = `replaced by release ${str(e.data?.by) ?? 'a newer release'}`;
      break;
    case 'release.resumed':
    case 'release.cancelled':
      text = `${kind.title.replace(/^Release /, '').toLowerCase()} by ${event.actor}`;
      break;
    default:
      text = region ? `${region}: ${kind.title.replace(/^Region /, '').toLowerCase()}` : kind.title.toLowerCase();
  }
  field('Reason', reason);

  return {
    eventId: event.id,
    eventType: event.type,
    severity: kind.severity,
    title,
    text,
    region,
    stage,
    fields,
    actor: event.actor,
    at: event.createdAt,
    reason,
    fromState: event.fromState,
    toState: event.toState,
    data: e.data,
    release: summary,
  };
}
