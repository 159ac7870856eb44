/**
 * Runs the API fuzzer against a live API and checks its oracles: never a 5xx; every 4xx is
 * problem+json (with `errors[]` when a field, header or the body is at fault); no token → 401
 * and a token without the scope → 403 whatever the body says; no row changes from a refused
 * request (every table fingerprinted: row count + hash); valid creates exist exactly once; the
 * API stays up with bounded memory.
 */
import { request as httpRequest, Agent } from 'node:http';
import fc from 'fast-check';
import { operationsOf, requests, type FuzzContext, type FuzzRequest } from './fuzz-requests.js';
import { rssKiB } from './support.js';

export interface FuzzOptions {
  base: string;
  ctx: FuzzContext;
  runs: number;
  seed: number;
  /** runs SQL against the API's database */
  query: <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  apiPid: number;
  progress?: (line: string) => void;
  /** called before a failure is thrown (e.g. to print the API's error log) */
  onFailure?: () => void;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  operations: number;
  creates: number;
  rssKiB: { start: number; max: number; end: number };
  ms: number;
  /** time spent fingerprinting the tables */
  fingerprintMs: number;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
/** Statuses whose problem must name what is at fault. */
const FIELD_STATUSES = [400, 413, 415, 431];

export function send(base: string, r: FuzzRequest, timeoutMs = 20_000): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent, timeout: timeoutMs },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        if (res.statusCode === 200 && contentType.startsWith('text/event-stream')) {
          // an endless stream (GET /v1/stream): its status and type are the answer; close it
          resolve({ status: 200, contentType, text: '' });
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(r.body ?? undefined);
  });
}

/** What is wrong with this answer to this request, or null. */
export function judge(r: FuzzRequest, a: Answer): string | null {
  if (a.status >= 500 || a.status < 200) return `answered ${a.status}`;
  if (r.validCreate && a.status !== 201) return `a valid create answered ${a.status}`;
  const isPublic = r.scopes.length === 0;
  const rightMethod = r.method === r.opMethod;
  // Node answers 431 to a request line + headers past 16 KiB before anyone reads them
  const hugeHeader = r.path.length + JSON.stringify(r.headers).length > 16_000;
  if (!isPublic && !hugeHeader && (r.caller === 'none' || r.caller === 'wrong') && a.status !== 401)
    return `a caller without a valid bearer token got ${a.status}, not 401`;
  if (!isPublic && !hugeHeader && rightMethod && r.caller === 'read' && !r.scopes.includes('read') && a.status !== 403)
    return `a token without scope ${r.scopes.join('/')} got ${a.status}, not 403`;
  if (a.status < 400) return null;
  if (!/^application\/problem\+json/.test(a.contentType)) return `a ${a.status} with Content-Type ${a.contentType || '(none)'}`;
  let p: { status?: unknown; title?: unknown; detail?: unknown; errors?: unknown };
  try {
    p = JSON.parse(a.text) as typeof p;
  } catch {
    return `a ${a.status} whose body is not JSON: ${a.text.slice(0, 200)}`;
  }
  if (p.status !== a.status || typeof p.title !== 'string' || typeof p.detail !== 'string')
    return `a ${a.status} problem without status/title/detail: ${a.text.slice(0, 300)}`;
  if (FIELD_STATUSES.includes(a.status)) {
    const errors = p.errors as Array<{ field?: unknown; message?: unknown }> | undefined;
    if (!Array.isArray(errors) || errors.length === 0) return `a ${a.status} without errors[]: ${a.text.slice(0, 300)}`;
    if (errors.some((e) => typeof e.field !== 'string' || typeof e.message !== 'string' || e.message.length === 0))
      return `a ${a.status} with a malformed errors[]`;
  }
  return null;
}

/** Row count and an order-independent content hash of every table (the migrations table aside). */
export function fingerprinter(query: FuzzOptions['query']): () => Promise<string> {
  let sql: string | null = null;
  return async () => {
    if (sql === null) {
      const tables = await query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
      );
      sql = tables
        .map(({ t }) => `SELECT '${t}' AS t, count(*)::int AS n, coalesce(sum(hashtextextended(x::text, 15)), 0)::text AS h FROM "${t}" x`)
        .join(' UNION ALL ');
    }
    const rows = await query<{ t: string; n: number; h: string }>(sql);
    return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join(' ');
  };
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body ? r.body.subarray(0, 300).toString('utf8') : '(none)';
  return `${r.method} ${r.path.slice(0, 300)} as ${r.caller} [${r.op}] headers=${JSON.stringify(r.headers).slice(0, 300)} body=${JSON.stringify(body)}`;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const doc = JSON.parse(
    (
      await send(o.base, {
        op: 'doc',
        method: 'GET',
        path: '/docs/openapi.json',
        headers: {},
        body: null,
        caller: 'none',
        opMethod: 'GET',
        scopes: [],
        validCreate: false,
      })
    ).text,
  ) as Parameters<typeof operationsOf>[0];
  const ops = operationsOf(doc);
  const report: FuzzReport = {
    sent: 0,
    byStatus: {},
    operations: ops.length,
    creates: 0,
    rssKiB: { start: rssKiB(o.apiPid) ?? 0, max: 0, end: 0 },
    ms: 0,
    fingerprintMs: 0,
  };
  const fingerprint = fingerprinter(o.query);
  const tables = async () => {
    const t0 = Date.now();
    const f = await fingerprint();
    report.fingerprintMs += Date.now() - t0;
    return f;
  };
  const created: Array<{ number: number; id: string; key: string }> = [];
  let nextNumber = 100_000;
  let baseline = await tables();
  /** the refused (or read-only) requests since the baseline */
  const since: string[] = [];
  const unchanged = async () => {
    if ((await tables()) !== baseline)
      throw new Error(`rows changed under requests that were refused or read-only:\n${since.slice(-50).join('\n')}`);
    since.length = 0;
  };
  const started = Date.now();
  const count = (status: number) => {
    report.sent++;
    report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
    if (report.sent % 250 === 0) {
      report.rssKiB.max = Math.max(report.rssKiB.max, rssKiB(o.apiPid) ?? 0);
      o.progress?.(`${report.sent} requests, ${JSON.stringify(report.byStatus)}`);
    }
  };
  const outcome = await fc.check(
    fc.asyncProperty(requests(ops, o.ctx), async (r) => {
      if (r.validCreate) {
        await unchanged();
        const n = nextNumber++;
        const key = `fuzz-${o.seed}-${n}`;
        r = {
          ...r,
          headers: { ...r.headers, 'idempotency-key': key },
          body: Buffer.from(
            JSON.stringify({ service: o.ctx.service, version: `1.0.${n}`, image: o.ctx.image(`1.0.${n}`), releaseNumber: n }),
          ),
        };
        const a = await send(o.base, r);
        count(a.status);
        const bad = judge(r, a);
        if (bad) throw new Error(`${bad}: ${describeRequest(r)} → ${a.text.slice(0, 300)}`);
        const id = (JSON.parse(a.text) as { id: string }).id;
        created.push({ number: n, id, key });
        const again = await send(o.base, r); // the same create again: the same release, 200
        count(again.status);
        if (again.status !== 200 || (JSON.parse(again.text) as { id: string }).id !== id)
          throw new Error(`a repeated create answered ${again.status} ${again.text.slice(0, 200)}`);
        baseline = await tables();
        since.length = 0;
        return;
      }
      // Only an authorized POST can write: check the tables before it (every refused request since the
      // last check must have left them alone) and take a new baseline after it succeeds.
      const mayWrite = r.method === 'POST' && r.caller === 'admin';
      if (mayWrite) await unchanged();
      const a = await send(o.base, r).catch((err: Error) => {
        throw new Error(`${err.message}: ${describeRequest(r)}`);
      });
      count(a.status);
      const bad = judge(r, a);
      if (bad) throw new Error(`${bad}: ${describeRequest(r)} → ${a.text.slice(0, 300)}`);
      if (mayWrite && a.status < 400) {
        baseline = await tables();
        since.length = 0;
      } else {
        since.push(`${a.status} ${describeRequest(r).slice(0, 400)}`);
      }
    }),
    { numRuns: o.runs, seed: o.seed, endOnFailure: true },
  );
  if (!outcome.failed) await unchanged().catch((err: Error) => Object.assign(outcome, { failed: true, errorInstance: err }));
  if (outcome.failed) {
    o.onFailure?.();
    const cause = outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance);
    throw new Error(`fuzz seed ${o.seed} failed after ${report.sent} requests: ${cause}`);
  }
  for (const c of created) {
    const rows = await o.query<{ n: number }>(`SELECT count(*)::int AS n FROM releases WHERE service = $1 AND release_number = $2`, [
      o.ctx.service,
      c.number,
    ]);
    if (rows[0]!.n !== 1) throw new Error(`release #${c.number} (${c.id}) exists ${rows[0]!.n} times`);
  }
  report.creates = created.length;
  report.rssKiB.end = rssKiB(o.apiPid) ?? 0;
  report.rssKiB.max = Math.max(report.rssKiB.max, report.rssKiB.end);
  report.ms = Date.now() - started;
  return report;
}
