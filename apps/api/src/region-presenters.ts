/** JSON views of regions and their drain / restore operations. */
import type { RegionStatus } from '#application';
import type { RegionOperationRecord } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function operationView(o: RegionOperationRecord) {
  return {
    id: o.id,
    region: o.region,
    kind: o.kind,
    state: o.state,
    actor: o.actor,
    reason: o.reason,
    requestedAt: iso(o.requestedAt),
    startedAt: iso(o.startedAt),
    completedAt: iso(o.completedAt),
    previousWeight: o.previousWeight,
    targetWeight: o.targetWeight,
    preDrainRate: o.preDrainRate,
    lastRate: o.lastRate,
    /** drain: from the weight change to verification (rate below the drained fraction) */
    drainMs: o.kind === 'drain' ? o.verifyMs : null,
    /** drain: from the weight change until 99% of the traffic had gone */
    drain99Ms: o.drain99Ms,
    /** restore: from the weight change until the traffic was back */
    restoreMs: o.kind === 'restore' ? o.verifyMs : null,
    note: o.note,
  };
}

export function regionView(r: RegionStatus) {
  return {
    name: r.name,
    timeZone: r.timeZone,
    tier: r.tier,
    tags: r.tags,
    traffic: { provider: r.trafficProvider, weight: r.weight, error: r.weightError },
    services: r.services,
    lastOperation: r.lastOperation && operationView(r.lastOperation),
  };
}
