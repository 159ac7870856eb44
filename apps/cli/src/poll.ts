/**
 * The polling loop every `--wait` shares: asks the API until the caller is satisfied, retries a
 * lost connection (or a busy API) with backoff, and stops at --timeout or on Ctrl-C.
 */
import { CliError } from './client.js';
import { humanDuration } from './duration.js';

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

export interface PollOptions {
  timeoutMs: number | null;
  pollMs: number;
  /** `connection lost …` / `connection back after …` */
  note(text: string): void;
}

export type PollEnd<T> = { end: 'done'; last: T } | { end: 'timeout' | 'interrupted'; last: T | null };

/**
 * Calls `get` every pollMs; `done(view, previous)` sees every answer and says when to stop.
 * Ctrl-C (once or repeatedly) cancels the call in flight and ends the wait.
 */
export async function pollUntil<T>(
  get: (signal: AbortSignal) => Promise<T>,
  done: (view: T, previous: T | null) => boolean,
  opts: PollOptions,
): Promise<PollEnd<T>> {
  const stop = new AbortController();
  const onSigint = () => {
    if (!stop.signal.aborted) stop.abort('interrupted');
  };
  process.on('SIGINT', onSigint);
  const deadline = opts.timeoutMs === null ? Infinity : Date.now() + opts.timeoutMs;
  const timer = opts.timeoutMs === null ? null : setTimeout(() => stop.abort('timeout'), opts.timeoutMs);
  let last: T | null = null;
  let lostSince: number | null = null;
  let backoff = opts.pollMs;
  try {
    while (!stop.signal.aborted) {
      let answered = false;
      let view: T | null = null;
      try {
        view = await get(stop.signal);
        answered = true;
      } catch (err) {
        if (stop.signal.aborted) break;
        if (!(err instanceof CliError) || !err.transient) throw err;
        if (lostSince === null) {
          lostSince = Date.now();
          opts.note(`connection lost (${err.message}); retrying until the API answers`);
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      if (answered) {
        if (lostSince !== null) opts.note(`connection back after ${humanDuration(Date.now() - lostSince)}`);
        lostSince = null;
        backoff = opts.pollMs;
        const previous = last;
        last = view as T;
        if (done(last, previous)) return { end: 'done', last };
      }
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())), stop.signal);
    }
    return { end: stop.signal.reason === 'timeout' ? 'timeout' : 'interrupted', last };
  } finally {
    if (timer) clearTimeout(timer);
    process.removeListener('SIGINT', onSigint);
  }
}
