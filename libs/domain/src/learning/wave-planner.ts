/**
 * The wave planner (seed ch. 7, "Constructing a Global Rollout"): from each region's traits,
 * time zone and traffic, the order to roll out in — canary; a low-traffic canary-like region; a
 * high-traffic canary-like region; one region for each trait not yet covered; then the rest in
 * parallel waves of growing size. Pure and deterministic; every placement says why.
 */

export interface PlannerRegion {
  name: string;
  tier: string;
  tags: readonly string[];
  timeZone: string;
  /** measured request rate (req/s) from the region's Prometheus; null when not measured */
  requestRate: number | null;
}

export interface Placement {
  region: string;
  reason: string;
}

export interface ProposedWave {
  name: string;
  maxParallel: number;
  reason: string;
  regions: Placement[];
}

export interface ProposedPlan {
  canary: Placement;
  waves: ProposedWave[];
}

export class PlannerError extends Error {}

type Level = 'low' | 'high';
interface Scored extends PlannerRegion {
  level: Level;
  trafficText: string;
  traits: string[];
}

/** A region's traits for coverage: its tags, its tier and its time-zone area (Europe, Asia…). */
export function regionTraits(r: Pick<PlannerRegion, 'tier' | 'tags' | 'timeZone'>): string[] {
  const area = r.timeZone.includes('/') ? r.timeZone.split('/')[0]! : r.timeZone;
  return [...new Set([...r.tags, `tier:${r.tier}`, `zone:${area}`])].sort();
}

/** Measured rates decide high and low only when the busiest region has at least this many times the quietest one's rate. */
export const SPREAD = 1.5;

const rateText = (n: number) => `${Number(n.toPrecision(3))} req/s`;

/** High traffic: above the median measured rate when at least two regions were measured and their rates differ enough, else the tier. */
function score(regions: readonly PlannerRegion[]): Scored[] {
  const measured = regions
    .map((r) => r.requestRate)
    .filter((x): x is number => x !== null && Number.isFinite(x))
    .sort((a, b) => a - b);
  // rates within SPREAD× of each other (or a single one) say nothing about high and low: the tier decides
  const spread = measured.length >= 2 && measured[measured.length - 1]! > measured[0]! * SPREAD;
  const median = spread ? (measured[Math.floor((measured.length - 1) / 2)]! + measured[Math.floor(measured.length / 2)]!) / 2 : null;
  return regions.map((r) => {
    const byRate = r.requestRate !== null && Number.isFinite(r.requestRate) && median !== null;
    const level: Level = byRate ? (r.requestRate! > median! ? 'high' : 'low') : r.tier === 'high' ? 'high' : 'low';
    const trafficText = byRate
      ? `${level} traffic: ${rateText(r.requestRate!)} measured (median ${rateText(median!)})`
      : `${level} traffic: tier ${r.tier}${r.requestRate === null ? ' (no request rate measured)' : ` (${rateText(r.requestRate)} measured, too close to the others to tell)`}`;
    return { ...r, level, trafficText, traits: regionTraits(r) };
  });
}

/** Lower traffic first: level (low before high), then measured rate (unmeasured low = 0, high = above any); 0 for a tie. */
function trafficOrder(a: Scored, b: Scored): number {
  const key = (r: Scored) => [r.level === 'low' ? 0 : 1, r.requestRate ?? (r.level === 'low' ? 0 : Number.MAX_VALUE)] as const;
  const [la, ra] = key(a);
  const [lb, rb] = key(b);
  return la !== lb ? la - lb : ra - rb;
}
const byName = (a: Scored, b: Scored) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
/** Quietest first, ties by name. */
const byTraffic = (a: Scored, b: Scored) => trafficOrder(a, b) || byName(a, b);
/** Busiest first, ties by name. */
const busiestFirst = (a: Scored, b: Scored) => trafficOrder(b, a) || byName(a, b);

const newTraits = (r: Scored, covered: ReadonlySet<string>) => r.traits.filter((t) => !covered.has(t));
const traitName = (t: string) => t.replace(/^tier:/, 'tier ').replace(/^zone:/, 'time zone ');
const waveName = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'wave';

/**
 * Propose a plan. `canary` is the region to start in (the service's current canary); when it is
 * absent or not among the regions, a region tagged `canary`, else the lowest-traffic region.
 */
export function proposePlan(regions: readonly PlannerRegion[], canary?: string): ProposedPlan {
  if (regions.length === 0) throw new PlannerError('no region to plan');
  const names = new Set<string>();
  for (const r of regions) {
    if (names.has(r.name)) throw new PlannerError(`region ${r.name} is listed twice`);
    names.add(r.name);
  }
  const scored = score(regions).sort(byTraffic);
  const left = new Map(scored.map((r) => [r.name, r]));
  const take = (r: Scored) => (left.delete(r.name), r);

  let first = canary !== undefined ? left.get(canary) : undefined;
  let canaryReason = first ? `the service's canary region (${first.trafficText})` : '';
  if (!first) {
    first = scored.find((r) => r.tags.includes('canary'));
    if (first) canaryReason = `tagged canary (${first.trafficText})`;
  }
  if (!first) {
    first = scored[0]!;
    canaryReason = `no canary configured or tagged: the lowest-traffic region (${first.trafficText})`;
  }
  take(first);
  const covered = new Set(first.traits);
  const waves: ProposedWave[] = [];
  const single = (name: string, r: Scored, reason: string) => {
    take(r);
    r.traits.forEach((t) => covered.add(t));
    let unique = waveName(name);
    for (let n = 2; waves.some((w) => w.name === unique); n++) unique = `${waveName(name).slice(0, 58)}-${n}`;
    waves.push({ name: unique, maxParallel: 1, reason, regions: [{ region: r.name, reason }] });
  };
  // Canary-like: brings no tag the canary lacks (its input looks like the canary's).
  const canaryLike = (r: Scored) => r.tags.every((t) => first.tags.includes(t));

  const low = [...left.values()].filter((r) => canaryLike(r) && r.level === 'low').sort(byTraffic)[0];
  if (low)
    single('low-traffic-canary-like', low, `canary-like (no tag the canary lacks) with ${low.trafficText}: little impact if it fails`);
  const high = [...left.values()].filter((r) => canaryLike(r) && r.level === 'high').sort(busiestFirst)[0];
  if (high) single('high-traffic-canary-like', high, `canary-like with ${high.trafficText}: same input at scale, tests only the load`);

  // One region for each trait not yet covered; the region bringing the fewest other new traits, then the least traffic.
  for (;;) {
    const uncovered = [...new Set([...left.values()].flatMap((r) => newTraits(r, covered)))].sort();
    const trait = uncovered[0];
    if (trait === undefined) break;
    const pick = [...left.values()]
      .filter((r) => r.traits.includes(trait))
      .sort((a, b) => newTraits(a, covered).length - newTraits(b, covered).length || byTraffic(a, b))[0]!;
    const also = newTraits(pick, covered).filter((t) => t !== trait);
    const reason = `first region with ${traitName(trait)}${also.length > 0 ? ` (also new: ${also.map(traitName).join(', ')})` : ''}; ${pick.trafficText}`;
    single(`first-${trait.replace(/^(tier|zone):/, '$1-')}`, pick, reason);
  }

  // The rest: every trait is proven; parallel waves of growing size (2, 4, 8…), lower traffic first.
  const rest = [...left.values()].sort(byTraffic);
  let size = 2;
  for (let i = 0, n = 1; i < rest.length; n++, size *= 2) {
    const batch = rest.slice(i, i + size);
    i += batch.length;
    const reason = `every trait already proven: parallel wave ${n} of up to ${size} regions, lower traffic first`;
    waves.push({
      name: `parallel-${n}`,
      maxParallel: batch.length,
      reason,
      regions: batch.map((r) => ({ region: r.name, reason: `${reason}; ${r.trafficText}` })),
    });
  }
  return { canary: { region: first.name, reason: canaryReason }, waves };
}
