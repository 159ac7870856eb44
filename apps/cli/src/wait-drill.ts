/**
 * Waits for a drill to end: polls the API, prints a plain line per change, retries a lost
 * connection, and ends with the drill's exit code (0 met its goal, 1 failed/aborted/missed),
 * 3 on --timeout or 130 on Ctrl-C — the drill itself goes on (and is always undone) in every case.
 */
import { CliError, type ApiClient } from './client.js';
import { drillOutcome, drillProgress, renderDrill, type DrillView } from './drill-view.js';
import { humanDuration } from './duration.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import { clock, sleep } from './wait.js';

const MAX_BACKOFF_MS = 5_000;

export async function waitForDrill(client: ApiClient, out: Output, id: string, opts: { timeoutMs: number | null; pollMs: number }): Promise<ExitCode> {
  const stop = new AbortController();
  const onSigint = () => stop.abort('interrupted');
  process.once('SIGINT', onSigint);
  const deadline = opts.timeoutMs === null ? Infinity : Date.now() + opts.timeoutMs;
  const timer = opts.timeoutMs === null ? null : setTimeout(() => stop.abort('timeout'), opts.timeoutMs);
  let last: DrillView | null = null;
  let lostSince: number | null = null;
  let backoff = opts.pollMs;
  try {
    while (!stop.signal.aborted) {
      let view: DrillView | null = null;
      try {
        view = await client.get<DrillView>(`/v1/drills/${encodeURIComponent(id)}`);
      } catch (err) {
        if (!(err instanceof CliError) || !err.transient) throw err;
        if (lostSince === null) {
          lostSince = Date.now();
          out.error(`[${clock()}] connection lost (${err.message}); retrying until the API answers`);
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      if (view !== null) {
        if (lostSince !== null) out.error(`[${clock()}] connection back after ${humanDuration(Date.now() - lostSince)}`);
        lostSince = null;
        backoff = opts.pollMs;
        const line = drillProgress(last, view);
        if (line) out.info(`[${clock()}] ${line}`);
        last = view;
        const outcome = drillOutcome(view);
        if (outcome.done) {
          if (out.format === 'json') {
            out.error(`drill ${id} ${outcome.summary}`);
            out.json(view);
          } else {
            for (const l of renderDrill(view)) out.info(l);
            out.info(`drill ${id} ${outcome.summary}`);
          }
          return outcome.code;
        }
      }
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())), stop.signal);
    }
    const state = last ? `${last.state} (${last.phase})` : 'unknown (the API did not answer)';
    if (stop.signal.reason === 'timeout') {
      out.error(`timed out after ${humanDuration(opts.timeoutMs ?? 0)}: drill ${id} is still ${state}; it goes on and is always undone`);
      if (out.format === 'json' && last) out.json(last);
      return EXIT.timeout;
    }
    out.error(`stopped waiting; drill ${id} goes on (${state}) and is always undone`);
    if (out.format === 'json' && last) out.json(last);
    return EXIT.interrupted;
  } finally {
    if (timer) clearTimeout(timer);
    process.removeListener('SIGINT', onSigint);
  }
}
