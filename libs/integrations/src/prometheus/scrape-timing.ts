/**
 * When a Prometheus scrapes what a gate queries: the targets that expose the query's metrics
 * (/api/v1/targets/metadata?metric=…) joined with their scrape state (/api/v1/targets). Known
 * only when every such target is scraped at one interval and their scrapes end within a tenth
 * of it of each other (e.g. one exporter per region); otherwise unknown, and gates keep their
 * own timing. Read at most once a minute per metric set; never throws, never waits past 2 s.
 */
import type { ScrapeTiming } from '#domain';
import type { HttpClient } from '../http/client.js';

const REFRESH_MS = 60_000;
const TIMEOUT_MS = 2_000;

interface ActiveTarget {
  labels?: Record<string, string>;
  scrapeInterval?: string;
  lastScrape?: string;
  lastScrapeDuration?: number;
  health?: string;
}

/** Prometheus durations as /api/v1/targets gives them: "1s", "15s", "1m30s", "500ms". */
export function parseScrapeInterval(text: string | undefined): number | null {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text ?? '');
  if (!m || text === '') return null;
  const ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000 + Number(m[4] ?? 0);
  return ms > 0 ? ms : null;
}

/** RFC 3339 with up to nanoseconds, as milliseconds (fraction beyond ms cut). */
function parseTime(text: string | undefined): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text ?? '');
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}.${(m[2] ?? '0').padEnd(3, '0').slice(0, 3)}${m[3]}`);
}

/** The scrapes' common timing, or null when they do not share an interval or end too far apart. */
export function commonScrapeTiming(targets: ReadonlyArray<{ intervalMs: number; readyAtMs: number }>): ScrapeTiming | null {
  if (targets.length === 0) return null;
  const intervalMs = targets[0]!.intervalMs;
  if (targets.some((t) => t.intervalMs !== intervalMs || !Number.isFinite(t.readyAtMs))) return null;
  // phases on the interval's circle: the cluster they form must span at most a tenth of it
  const phases = targets
    .map((t) => ({ t, phase: ((t.readyAtMs % intervalMs) + intervalMs) % intervalMs }))
    .sort((a, b) => a.phase - b.phase);
  let widestGap = -1;
  let last = phases.at(-1)!;
  for (let i = 0; i < phases.length; i++) {
    const gap = i === 0 ? phases[0]!.phase + intervalMs - phases.at(-1)!.phase : phases[i]!.phase - phases[i - 1]!.phase;
    if (gap > widestGap) {
      widestGap = gap;
      // the phase just before the widest gap is the cluster's last
      last = phases[(i - 1 + phases.length) % phases.length]!;
    }
  }
  if (phases.length > 1 && intervalMs - widestGap > intervalMs / 10) return null;
  return { intervalMs, readyAtMs: last.t.readyAtMs };
}

export class ScrapeTimingReader {
  private readonly cache = new Map<string, { at: number; timing: Promise<ScrapeTiming | null> }>();

  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly now: () => number = Date.now,
  ) {}

  timing(metrics: readonly string[]): Promise<ScrapeTiming | null> {
    if (metrics.length === 0) return Promise.resolve(null);
    const key = [...metrics].sort().join(',');
    const kept = this.cache.get(key);
    if (kept && this.now() - kept.at < REFRESH_MS) return kept.timing;
    const timing = this.read(metrics).catch(() => null);
    this.cache.set(key, { at: this.now(), timing });
    return timing;
  }

  private async get(path: string): Promise<unknown> {
    const answer = await this.http.send({ method: 'GET', url: `${this.baseUrl}${path}`, headers: this.headers, timeoutMs: TIMEOUT_MS });
    if (!answer.ok || answer.status !== 200) return null;
    const body = JSON.parse(answer.text) as { status?: string; data?: unknown };
    return body.status === 'success' ? body.data : null;
  }

  private async read(metrics: readonly string[]): Promise<ScrapeTiming | null> {
    const [targets, ...metadata] = await Promise.all([
      this.get('/api/v1/targets?state=active'),
      ...metrics.map((m) => this.get(`/api/v1/targets/metadata?metric=${encodeURIComponent(m)}`)),
    ]);
    const active = ((targets as { activeTargets?: ActiveTarget[] } | null)?.activeTargets ?? []).filter((t) => t.health !== 'down');
    const exposing = new Set<string>();
    for (const list of metadata) {
      for (const entry of Array.isArray(list) ? (list as Array<{ target?: Record<string, string> }>) : []) {
        exposing.add(`${entry.target?.job ?? ''}\u0000${entry.target?.instance ?? ''}`);
      }
    }
    const scraped = active
      .filter((t) => exposing.has(`${t.labels?.job ?? ''}\u0000${t.labels?.instance ?? ''}`))
      .map((t) => ({
        intervalMs: parseScrapeInterval(t.scrapeInterval) ?? Number.NaN,
        readyAtMs: parseTime(t.lastScrape) + Math.round((t.lastScrapeDuration ?? 0) * 1000),
      }));
    return commonScrapeTiming(scraped);
  }
}
