/** A small parser of the Prometheus text format, for asserting on the simulator's /metrics. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  /** `# TYPE` lines: metric family → type. */
  types: Record<string, string>;
  help: Record<string, string>;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`bad sample value "${raw}"`);
  return n;
}

export function parseMetrics(text: string): ParsedMetrics {
  const out: ParsedMetrics = { samples: [], types: {}, help: {} };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      out.types[type[1] ?? ''] = type[2] ?? '';
      continue;
    }
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      out.help[help[1] ?? ''] = help[2] ?? '';
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    let consumed = 0;
    for (const l of body.matchAll(LABEL)) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed += l[0].length;
    }
    if (consumed !== body.length) throw new Error(`unparseable labels: ${line}`);
    out.samples.push({ name: m[1] ?? '', labels, value: parseValue(m[3] ?? '') });
  }
  return out;
}

/** Samples of `name` whose labels include `match`. */
export function find(parsed: ParsedMetrics, name: string, match: Record<string, string> = {}): Sample[] {
  return parsed.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The value of the single sample of `name` matching `match` (0 when there is none). */
export function value(parsed: ParsedMetrics, name: string, match: Record<string, string> = {}): number {
  const found = find(parsed, name, match);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`);
  return found[0]?.value ?? 0;
}

/** histogram_quantile over the cumulative buckets of one series (linear interpolation, like PromQL). */
export function histogramQuantile(parsed: ParsedMetrics, q: number, match: Record<string, string>): number {
  const buckets = find(parsed, 'sim_http_request_duration_seconds_bucket', match)
    .map((s) => ({ le: parseValue(s.labels['le'] ?? 'NaN'), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.count ?? 0;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return NaN;
}
