/** The version a Deployment's pods run, as the traffic model and the metrics name it. */
import { getArray, getObject, getString, isObject, type JsonObject } from './json.js';
import { templateLabels } from './deployment.js';

export const VERSION_LABEL = 'app.kubernetes.io/version';

/**
 * The version of an image reference: the tag (after the last ':' of the last path part), or
 * `sha256-<first 12 hex>` for a digest, or `latest` when the image has neither.
 */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) {
    const digest = image.slice(at + 1);
    const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
    const algo = digest.includes(':') ? digest.slice(0, digest.indexOf(':')) : 'sha256';
    return `${algo}-${hex.slice(0, 12)}`;
  }
  const last = image.split('/').pop() ?? image;
  const colon = last.lastIndexOf(':');
  return colon >= 0 && colon < last.length - 1 ? last.slice(colon + 1) : 'latest';
}

/** The pod template's `app.kubernetes.io/version` label, else the first container's image version. */
export function versionOf(spec: JsonObject): string {
  const label = templateLabels(spec)[VERSION_LABEL];
  if (label !== undefined && label !== '') return label;
  const template = getObject(spec, 'template');
  const podSpec = template ? getObject(template, 'spec') : undefined;
  const first = (podSpec ? getArray(podSpec, 'containers') : undefined)?.[0];
  const image = first !== undefined && isObject(first) ? getString(first, 'image') : undefined;
  return image ? imageVersion(image) : 'unknown';
}
