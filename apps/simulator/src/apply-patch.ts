/** Applying a PATCH to a stored Deployment the way the API server and the controller would. */
import {
  applyDefaults,
  desiredReplicas,
  imagesOf,
  REVISION_ANNOTATION,
  replicaSetName,
  validateSpec,
  type StoredDeployment,
} from './deployment.js';
import { deepEqual, getObject, isObject, stringMap, type Json } from './json.js';
import { applyPatch, PatchError, type PatchType } from './patch.js';
import { observationDelay, startRollout } from './rollout.js';
import type { SimState } from './state.js';

export type PatchOutcome =
  { ok: true; changedSpec: boolean; changed: boolean } | { ok: false; code: number; reason: string; message: string };

function fail(code: number, reason: string, message: string): PatchOutcome {
  return { ok: false, code, reason, message };
}

/** `null` when the value is a map of strings, else the offending path. */
function badStringMap(value: Json | undefined, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return path;
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') return `${path}.${k}`;
  return null;
}

export function patchDeployment(state: SimState, region: string, d: StoredDeployment, type: PatchType, body: Json): PatchOutcome {
  const what = `deployments.apps "${d.name}"`;
  if (type !== 'json' && !isObject(body)) {
    return fail(400, 'BadRequest', 'the body of a merge patch must be a JSON object');
  }
  const current = state.render(d);
  let patchedJson: Json;
  try {
    patchedJson = applyPatch(type, current, body);
  } catch (err) {
    if (err instanceof PatchError) {
      return fail(err.code, err.code === 400 ? 'BadRequest' : 'Invalid', `${what} is invalid: ${err.message}`);
    }
    throw err;
  }
  if (!isObject(patchedJson)) return fail(422, 'Invalid', `${what} is invalid: the patched object is not an object`);
  const patched = patchedJson;
  const metadata = getObject(patched, 'metadata') ?? {};

  const rv = metadata['resourceVersion'];
  if (rv !== undefined && rv !== null && rv !== String(d.resourceVersion)) {
    return fail(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
  if (metadata['name'] !== d.name || metadata['namespace'] !== d.namespace) {
    return fail(400, 'BadRequest', `the name or namespace of the object does not match the URL (${d.namespace}/${d.name})`);
  }
  for (const [value, path] of [
    [metadata['labels'], 'metadata.labels'],
    [metadata['annotations'], 'metadata.annotations'],
  ] as const) {
    const bad = badStringMap(value, path);
    if (bad) return fail(400, 'BadRequest', `${bad}: expected a map of strings`);
  }
  const specJson = patched['spec'];
  if (!isObject(specJson)) return fail(422, 'Invalid', `Deployment.apps "${d.name}" is invalid: spec: Required value`);
  const template = getObject(specJson, 'template');
  const templateMeta = template ? getObject(template, 'metadata') : undefined;
  const badTemplateLabels = badStringMap(templateMeta?.['labels'], 'spec.template.metadata.labels');
  if (badTemplateLabels) return fail(400, 'BadRequest', `${badTemplateLabels}: expected a map of strings`);

  const spec = applyDefaults(structuredClone(specJson));
  const errors = validateSpec(spec, d.spec);
  if (errors.length > 0) return fail(422, 'Invalid', `Deployment.apps "${d.name}" is invalid: ${errors.join(', ')}`);

  const labels = stringMap(metadata['labels']);
  const annotations = stringMap(metadata['annotations']);
  const changedSpec = !deepEqual(spec, d.spec);
  const changedTemplate = !deepEqual(spec['template'], d.spec['template']);
  const changedMeta = !deepEqual(labels, d.labels) || !deepEqual(annotations, d.annotations);
  if (!changedSpec && !changedMeta) return { ok: true, changedSpec: false, changed: false };

  const now = state.now();
  if (changedSpec) {
    // the counters of /metrics up to now belong to the spec before this change
    state.traffic.beforeChange(region, d, now);
    const before = state.statusOf(d, now);
    d.generation += 1;
    // a controller that has not yet observed the previous change observes both at once
    const observedAt = now < d.observation.observedAt ? d.observation.observedAt : now + observationDelay(state.config.stepMs);
    const revision = changedTemplate ? d.rollout.revision + 1 : d.rollout.revision;
    if (changedTemplate) annotations[REVISION_ANNOTATION] = String(revision);
    // a scale while a template change is not yet observed just joins that pending rollout
    const joinsPending = !changedTemplate && now < d.rollout.observedAt;
    if (!joinsPending) {
      const images = Object.values(imagesOf(spec));
      d.rollout = startRollout({
        revision,
        replicaSetName: changedTemplate ? replicaSetName(d.name, spec['template']) : d.rollout.replicaSetName,
        now,
        observedAt,
        desired: desiredReplicas(spec),
        bad: changedTemplate ? images.some((image) => state.badImages.isBad(image, region)) : d.rollout.bad,
        before,
        sameTemplate: !changedTemplate,
      });
    }
    d.observation = { generation: d.generation, observedAt, before };
    d.spec = spec;
  }
  d.labels = labels;
  d.annotations = annotations;
  d.resourceVersion = state.nextResourceVersion();
  return { ok: true, changedSpec, changed: true };
}
