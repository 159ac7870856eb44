/**
 * Waits for a drill to end: polls the API, prints a plain line per change, retries a lost
 * connection, and ends with the drill's exit code (0 met its goal, 1 failed/aborted/missed),
 * 3 on --timeout or 130 on Ctrl-C — the drill itself goes on (and is always undone) in every case.
 */
import type { ApiClient } from './client.js';
import { drillOutcome, drillProgress, renderDrill, type DrillView } from './drill-view.js';
import { humanDuration } from './duration.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Output } from './output.js';
import { clock, pollUntil } from './poll.js';

export async function waitForDrill(
  client: ApiClient,
  out: Output,
  id: string,
  opts: { timeoutMs: number | null; pollMs: number },
): Promise<ExitCode> {
  const res = await pollUntil(
    (signal) => client.get<DrillView>(`/v1/drills/${encodeURIComponent(id)}`, undefined, signal),
    (view, previous) => {
      const line = drillProgress(previous, view);
      if (line) out.info(`[${clock()}] ${line}`);
      return drillOutcome(view).done;
    },
    { ...opts, note: (text) => out.error(`[${clock()}] ${text}`) },
  );
  const last = res.last;
  const outcome = res.end === 'done' ? drillOutcome(res.last) : null;
  if (outcome?.done && last) {
    if (out.format === 'json') {
      out.error(`drill ${id} ${outcome.summary}`);
      out.json(last);
    } else {
      for (const l of renderDrill(last)) out.info(l);
      out.info(`drill ${id} ${outcome.summary}`);
    }
    return outcome.code;
  }
  const state = last ? `${last.state} (${last.phase})` : 'unknown (the API did not answer)';
  if (res.end === 'timeout')
    out.error(`timed out after ${humanDuration(opts.timeoutMs ?? 0)}: drill ${id} is still ${state}; it goes on and is always undone`);
  else out.error(`stopped waiting; drill ${id} goes on (${state}) and is always undone`);
  if (out.format === 'json' && last) out.json(last);
  return res.end === 'timeout' ? EXIT.timeout : EXIT.interrupted;
}
