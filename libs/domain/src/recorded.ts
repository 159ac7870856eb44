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

const VERSION_LABEL = 'app.kubernetes.io/version';

function templateLabel(recorded: RecordedWorkload): string | undefined {
  const template = recorded.podTemplate as { metadata?: { labels?: Record<string, string> } };
  return template.metadata?.labels?.[VERSION_LABEL];
}

function imageTag(image: string): string | undefined {
  return /:([^:/@]+)$/.exec(image.split('@')[0] ?? '')?.[1];
}

/** The version a recorded workload runs: its Deployment's version label, else its pod template's, else its image tag. */
export function versionOf(recorded: RecordedWorkload): string | null {
  const label = recorded.deploymentLabels[VERSION_LABEL] ?? templateLabel(recorded);
  if (label) return label;
  return imageTag(recorded.image) ?? null;
}

/**
 * The version regions ran before a release (a gate's `previousVersion`), read from what the
 * first touched region recorded: its pod template's version label, else its Deployment's, else
 * its image tag, else `sha256-<12 hex>` of its digest; '' when no region recorded anything.
 */
export function previousVersion(targets: ReadonlyArray<{ previous: readonly RecordedWorkload[] | null }>): string {
  for (const t of targets) {
    const recorded = t.previous?.[0];
    if (!recorded) continue;
    const label = templateLabel(recorded) ?? recorded.deploymentLabels[VERSION_LABEL];
    if (label) return label;
    const tag = imageTag(recorded.image);
    if (tag) return tag;
    const digest = /@sha256:([0-9a-f]{12})/.exec(recorded.image);
    if (digest?.[1]) return `sha256-${digest[1]}`;
  }
  return '';
}
