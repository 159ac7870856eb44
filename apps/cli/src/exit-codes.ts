/** The CLI's exit codes (the CI contract) and the pure mapping from a release state to one. */

export const EXIT = {
  /** succeeded, or reached what --until asked for */
  ok: 0,
  /** rolled back or failed (the reason printed) */
  failed: 1,
  /** usage or validation error: bad flags, or the API refused the request (400, 404, 409) */
  usage: 2,
  /** --timeout passed while the release was still going */
  timeout: 3,
  /** cancelled or superseded */
  cancelled: 4,
  /** paused or awaiting approval when --until did not ask for it */
  held: 5,
  /** API unreachable, or the token refused */
  unreachable: 6,
  /** Ctrl-C while waiting (the release goes on) */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const UNTIL = ['succeeded', 'approved', 'paused'] as const;
export type Until = (typeof UNTIL)[number];

export type Outcome = { done: false } | { done: true; code: ExitCode; summary: string };

/**
 * Whether waiting ends at this release state, and with which exit code. `--until approved`
 * ends (0) when the release waits for an approval; `--until paused` when it is paused; a
 * release that succeeds satisfies every `--until`.
 */
export function outcomeFor(state: string, until: Until = 'succeeded'): Outcome {
  switch (state) {
    case 'succeeded':
      return { done: true, code: EXIT.ok, summary: 'succeeded' };
    case 'rolled_back':
      return { done: true, code: EXIT.failed, summary: 'rolled back' };
    case 'failed':
      return { done: true, code: EXIT.failed, summary: 'failed' };
    case 'cancelled':
      return { done: true, code: EXIT.cancelled, summary: 'cancelled' };
    case 'superseded':
      return { done: true, code: EXIT.cancelled, summary: 'superseded by a newer release' };
    case 'awaiting_approval':
      return until === 'approved'
        ? { done: true, code: EXIT.ok, summary: 'awaiting approval (reached --until approved)' }
        : { done: true, code: EXIT.held, summary: 'awaiting approval (approve it, or wait with --until approved)' };
    case 'paused':
      return until === 'paused'
        ? { done: true, code: EXIT.ok, summary: 'paused (reached --until paused)' }
        : { done: true, code: EXIT.held, summary: 'paused (an operator must resume or roll it back)' };
    default:
      return { done: false };
  }
}

/** Exit code for an HTTP status the API answered with (never 2xx). */
export function exitForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.unreachable;
  if (status >= 500) return EXIT.unreachable;
  return EXIT.usage;
}
