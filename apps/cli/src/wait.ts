/**
 * Waits for a release: polls the API, shows progress (a tree redrawn in place on a terminal,
 * appended lines otherwise), retries a lost connection, and ends with the exit code of the
 * state reached, a timeout or Ctrl-C — the release itself goes on in every case.
 */
import { clearScreenDown, moveCursor } from 'node:readline';
import type { ApiClient } from './client.js';
import { humanDuration } from './duration.js';
import { EXIT, outcomeFor, type ExitCode, type Until } from './exit-codes.js';
import type { Output } from './output.js';
import { clock, pollUntil } from './poll.js';
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

export async function waitForRelease(
  client: ApiClient,
  out: Output,
  id: string,
  opts: WaitOptions,
): Promise<{ code: ExitCode; release: ReleaseView | null }> {
  const live = out.format === 'text' && out.tty ? new LiveTree(out) : null;
  try {
    const res = await pollUntil(
      (signal) => client.get<ReleaseView>(`/v1/releases/${encodeURIComponent(id)}`, undefined, signal),
      (view, previous) => {
        if (live) live.update(view);
        else for (const line of progressLines(previous, view, Date.now())) out.info(`[${clock()}] ${line}`);
        return outcomeFor(view.state, opts.until).done;
      },
      { timeoutMs: opts.timeoutMs, pollMs: opts.pollMs, note: (text) => note(out, live, text) },
    );
    live?.finish();
    const last = res.last;
    const outcome = res.end === 'done' ? outcomeFor(res.last.state, opts.until) : null;
    if (outcome?.done && last) {
      out.info(`release ${id} ${outcome.summary}${last.stateReason && outcome.code !== EXIT.ok ? `: ${last.stateReason}` : ''}`);
      if (out.format === 'json') out.json(last);
      return { code: outcome.code, release: last };
    }
    const state = last?.state ?? 'unknown (the API did not answer)';
    if (res.end === 'timeout') {
      out.error(`timed out after ${humanDuration(opts.timeoutMs ?? 0)}: release ${id} is still ${state}; it goes on: ${opts.link}`);
      if (out.format === 'json' && last) out.json(last);
      return { code: EXIT.timeout, release: last };
    }
    out.error(`stopped waiting; release ${id} goes on (${state}): ${opts.link}`);
    if (out.format === 'json' && last) out.json(last);
    return { code: EXIT.interrupted, release: last };
  } finally {
    live?.finish();
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
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= width) return line;
  return `${visible.slice(0, width - 1)}…`;
}
