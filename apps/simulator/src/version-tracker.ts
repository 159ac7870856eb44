/**
 * Which version each ready pod of a Deployment runs, over time. The rollout model only counts
 * pods of the newest template and of older templates; this remembers the versions behind those
 * two groups across template changes (the older group is named after whichever version held
 * most ready pods when the template changed).
 */
import type { StoredDeployment } from './deployment.js';
import type { DeploymentStatus } from './rollout.js';
import { versionOf } from './versions.js';

interface Mapping {
  current: string;
  previous: string;
}

interface Tracked extends Mapping {
  uid: string;
  revision: number;
  /** Until the controller observes a template change, reads still show the status before it. */
  before?: Mapping;
  switchAt: number;
  lastCurrentPods: number;
  lastPreviousPods: number;
}

export class VersionTracker {
  private tracked = new Map<string, Tracked>();

  clear(): void {
    this.tracked.clear();
  }

  /** Ready pods per version of `d` at `t`, given the deployment's status at `t`. */
  podsByVersion(region: string, d: StoredDeployment, status: DeploymentStatus, t: number): Map<string, number> {
    const key = `${region}\u0000${d.namespace}\u0000${d.name}`;
    let rec = this.tracked.get(key);
    if (!rec || rec.uid !== d.uid) {
      const v = versionOf(d.spec);
      rec = {
        uid: d.uid,
        revision: d.rollout.revision,
        current: v,
        previous: v,
        switchAt: -Infinity,
        lastCurrentPods: 0,
        lastPreviousPods: 0,
      };
      this.tracked.set(key, rec);
    } else if (rec.revision !== d.rollout.revision) {
      if (t >= rec.switchAt || rec.before === undefined) {
        rec.before = { current: rec.current, previous: rec.previous };
        rec.previous = rec.lastCurrentPods >= rec.lastPreviousPods ? rec.current : rec.previous;
      }
      rec.current = versionOf(d.spec);
      rec.revision = d.rollout.revision;
      rec.switchAt = d.observation.observedAt;
    }
    const mapping: Mapping = t < rec.switchAt && rec.before ? rec.before : rec;
    rec.lastCurrentPods = status.currentReadyPods;
    rec.lastPreviousPods = status.previousReadyPods;
    const out = new Map<string, number>();
    const add = (version: string, pods: number): void => {
      if (pods > 0) out.set(version, (out.get(version) ?? 0) + pods);
    };
    add(mapping.current, status.currentReadyPods);
    add(mapping.previous, status.previousReadyPods);
    return out;
  }
}

/** The next time after `t` when the ready pods of `d` may change (Infinity when settled). */
export function nextStatusChange(d: StoredDeployment, t: number, stepMs: number, desired: number): number {
  let next = Infinity;
  if (d.observation.observedAt > t) next = d.observation.observedAt;
  const t0 = d.rollout.observedAt;
  if (t0 > t) next = Math.min(next, t0);
  if (d.rollout.bad || stepMs <= 0) return next;
  const steps = t < t0 ? 0 : Math.floor((t - t0) / stepMs);
  if (Math.min(desired, d.rollout.baseReady) + steps >= desired) return next;
  return Math.min(next, t0 + (steps + 1) * stepMs);
}
