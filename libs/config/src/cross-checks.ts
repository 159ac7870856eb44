/**
 * Checks that span several values of a file (duplicates). They run on the raw, interpolated
 * YAML tree so they are reported together with schema problems, and skip anything malformed
 * (the schema reports that).
 */
import { formatPath } from './errors.js';
import type { PathSegment } from './errors.js';
import { isRecord } from './interpolate.js';
import { defaultWaveName } from './plan-schema.js';
import { isDnsLabel } from './schema-kit.js';
import type { Problem } from './schema-kit.js';
import { backendRefsRegionProblems } from './gateway-schema.js';

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reports every value after the first occurrence of the same key. */
function duplicates(
  entries: Array<{ key: string; path: PathSegment[] }>,
  describe: (key: string, first: PathSegment[]) => string,
): Problem[] {
  const seen = new Map<string, PathSegment[]>();
  const problems: Problem[] = [];
  for (const { key, path } of entries) {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, path);
    else problems.push({ path, message: describe(key, first) });
  }
  return problems;
}

/** Region names in regions.yaml must be unique. */
export function checkRegionsFile(raw: unknown): Problem[] {
  if (!isRecord(raw)) return [];
  const entries = list(raw['regions']).flatMap((region, i) =>
    isRecord(region) && typeof region['name'] === 'string' ? [{ key: region['name'], path: ['regions', i, 'name'] }] : [],
  );
  return [
    ...duplicates(entries, (name, first) => `duplicate region ${JSON.stringify(name)} (also at ${formatPath(first)})`),
    ...backendRefsRegionProblems(raw, regionNames(raw)),
  ];
}

/** Valid region names from regions.yaml, as far as they can be read. */
export function regionNames(raw: unknown): Set<string> {
  const names = new Set<string>();
  if (isRecord(raw)) {
    for (const region of list(raw['regions'])) {
      if (isRecord(region) && typeof region['name'] === 'string' && isDnsLabel(region['name'])) names.add(region['name']);
    }
  }
  return names;
}

/** A region appears at most once in a plan (canary and all waves); wave names are unique. */
export function checkPlanFile(raw: unknown): Problem[] {
  if (!isRecord(raw)) return [];
  const regions: Array<{ key: string; path: PathSegment[] }> = [];
  const canary = raw['canary'];
  if (isRecord(canary) && typeof canary['region'] === 'string') regions.push({ key: canary['region'], path: ['canary', 'region'] });
  const waveNames: Array<{ key: string; path: PathSegment[] }> = [];
  const problems: Problem[] = [];
  list(raw['waves']).forEach((wave, i) => {
    if (!isRecord(wave)) return;
    list(wave['regions']).forEach((region, j) => {
      if (typeof region === 'string') regions.push({ key: region, path: ['waves', i, 'regions', j] });
    });
    const name = wave['name'] === undefined ? defaultWaveName(i) : wave['name'];
    if (typeof name !== 'string') return;
    if (name === 'canary') problems.push({ path: ['waves', i, 'name'], message: '"canary" is reserved for the canary stage' });
    else waveNames.push({ key: name, path: ['waves', i, 'name'] });
  });
  problems.push(
    ...duplicates(
      regions,
      (region, first) =>
        `region ${JSON.stringify(region)} is already used at ${formatPath(first)} (a region appears at most once in a plan)`,
    ),
    ...duplicates(
      waveNames,
      (name, first) => `duplicate wave name ${JSON.stringify(name)} (also at ${formatPath(first)}; unnamed waves are called wave-N)`,
    ),
  );
  return problems;
}

/** The same workload may not be listed twice for one region. */
export function checkServiceFile(raw: unknown): Problem[] {
  if (!isRecord(raw)) return [];
  const lists: Array<{ items: unknown[]; path: PathSegment[] }> = [{ items: list(raw['workloads']), path: ['workloads'] }];
  const byRegion = raw['regionWorkloads'];
  if (isRecord(byRegion)) {
    for (const [region, items] of Object.entries(byRegion)) lists.push({ items: list(items), path: ['regionWorkloads', region] });
  }
  return lists.flatMap(({ items, path }) => {
    const entries = items.flatMap((item, i) => {
      if (!isRecord(item) || typeof item['deployment'] !== 'string') return [];
      const namespace = typeof item['namespace'] === 'string' ? item['namespace'] : 'default';
      const container = typeof item['container'] === 'string' ? item['container'] : item['deployment'];
      return [{ key: `${namespace}/${item['deployment']}/${container}`, path: [...path, i] }];
    });
    return duplicates(entries, (key, first) => `duplicate workload ${key} (also at ${formatPath(first)})`);
  });
}
