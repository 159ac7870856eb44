/**
 * Waits for a release: polls the API, shows progress (a tree redrawn in place on a terminal,
 * appended lines otherwise), retries a lost connection, and ends with the exit code of the
 * state reached, a timeout or Ctrl-C — the release itself goes on in every case.
 */
import { clearScreenDown, moveCursor } from 'node:readline';
import { CliError, type ApiClient } from './client.js';
import { humanDuration } from './duration.js';
import { EXIT, outcomeFor, type ExitCode, type Until } from './exit-codes.js';
import type { Output } from './output.js';
import { progressLines } from './progress-lines.js';
import { renderTree } from './render-tree.js';
import type { ReleaseView } from './release-view.js';

export interface WaitOptions {
  until: Until;
  timeoutMs: number | null;
  pollMs: number;
  link: string;
}

/** At most 5 redraws a second. */
const REDRAW_MS = 200;
const MAX_BACKOFF_MS = 5_000;

export const clock = () => new Date().toISOString().slice(11, 19);

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export async function waitForRelease(client: ApiClient, out: Output, id: string, opts: WaitOptions): Promise<{ code: ExitCode; release: ReleaseView | null }> {
  const stop = new AbortController();
  const onSigint = () => stop.abort('interrupted');
  process.once('SIGINT', onSigint);
  const deadline = opts.timeoutMs === null ? Infinity : Date.now() + opts.timeoutMs;
  const timer = opts.timeoutMs === null ? null : setTimeout(() => stop.abort('timeout'), opts.timeoutMs);
  const live = out.format === 'text' && out.tty ? new LiveTree(out) : null;
  let last: ReleaseView | null = null;
  let lostSince: number | null = null;
  let backoff = opts.pollMs;
  try {
    while (!stop.signal.aborted) {
      let view: ReleaseView | null = null;
      try {
        view = await client.get<ReleaseView>(`/v1/releases/${encodeURIComponent(id)}`);
      } catch (err) {
        if (!(err instanceof CliError) || !err.transient) throw err;
        if (lostSince === null) {
          lostSince = Date.now();
          note(out, live, `connection lost (${err.message}); retrying until the API answers`);
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      if (view !== null) {
        if (lostSince !== null) note(out, live, `connection back after ${humanDuration(Date.now() - lostSince)}`);
        lostSince = null;
        backoff = opts.pollMs;
        if (live) live.update(view);
        else for (const line of progressLines(last, view, Date.now())) out.info(`[${clock()}] ${line}`);
        last = view;
        const outcome = outcomeFor(view.state, opts.until);
        if (outcome.done) {
          live?.finish();
          out.info(`release ${id} ${outcome.summary}${view.stateReason && outcome.code !== EXIT.ok ? `: ${view.stateReason}` : ''}`);
          if (out.format === 'json') out.json(view);
          return { code: outcome.code, release: view };
        }
      }
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())), stop.signal);
    }
    live?.finish();
    const state = last?.state ?? 'unknown (the API did not answer)';
    if (stop.signal.reason === 'timeout') {
      out.error(`timed out after ${humanDuration(opts.timeoutMs ?? 0)}: release ${id} is still ${state}; it goes on: ${opts.link}`);
      if (out.format === 'json' && last) out.json(last);
      return { code: EXIT.timeout, release: last };
    }
    out.error(`stopped waiting; release ${id} goes on (${state}): ${opts.link}`);
    if (out.format === 'json' && last) out.json(last);
    return { code: EXIT.interrupted, release: last };
  } finally {
    live?.finish();
    if (timer) clearTimeout(timer);
    process.removeListener('SIGINT', onSigint);
  }
}

function note(out: Output, live: LiveTree | null, text: string): void {
  if (live) live.footer = text;
  else out.error(`[${clock()}] ${text}`);
}

/** The tree on a terminal, redrawn in place at most every 200 ms (bake countdowns tick between polls). */
class LiveTree {
  private view: ReleaseView | null = null;
  private drawn: string[] = [];
  private timer: NodeJS.Timeout | null;
  footer = '';

  constructor(private readonly out: Output) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** A new view is drawn by the next tick of the timer (so never more than 5 times a second). */
  update(view: ReleaseView): void {
    this.view = view;
    this.footer = '';
  }

  private draw(): void {
    if (!this.view) return;
    const width = Math.max(20, (this.out.stdout.columns || 100) - 1);
    const lines = renderTree(this.view, Date.now(), this.out.paint).map((l) => clip(l, width));
    if (this.footer) lines.push(clip(this.footer, width));
    if (lines.join('\n') === this.drawn.join('\n')) return;
    const stream = this.out.stdout;
    if (this.drawn.length > 0) {
      moveCursor(stream, 0, -this.drawn.length);
      stream.write('\r');
      clearScreenDown(stream);
    }
    stream.write(`${lines.join('\n')}\n`);
    this.drawn = lines;
  }

  /** Stops the timer after one last drawing of the latest view. */
  finish(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    this.draw();
  }
}

/** Cuts a line to the terminal width (escape codes do not count). */
function clip(line: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= width) return line;
  return `${visible.slice(0, width - 1)}…`;
}
