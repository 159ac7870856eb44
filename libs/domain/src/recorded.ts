/** What ran in a region before a release touched it: enough to restore it exactly. */
import type { Workload } from './plan.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RecordedWorkload {
  workload: Workload;
  /** image of the workload's container before the deploy */
  image: string;
  /** the Deployment's whole spec.template before the deploy */
  podTemplate: JsonObject;
  /** the Deployment's own metadata.labels before the deploy */
  deploymentLabels: Record<string, string>;
}

/** Labels a release stamps on the Deployment and its pod template (seed ch. 6 "Releases"). */
export function releaseLabels(release: { id: string; version: string; releaseNumber: number }): Record<string, string> {
  return {
    'app.kubernetes.io/version': release.version,
    'tideline.io/release': release.id,
    'tideline.io/release-number': String(release.releaseNumber),
  };
}
