/**
 * The one place an axios error is read: what went wrong (timed out, cancelled, or a network
 * code such as ECONNREFUSED), and nothing else. An AxiosError carries the request config (URL
 * with its query, headers with tokens and signatures, the body), the ClientRequest and the
 * response; none of it may reach a message or a log, so none of it leaves this function.
 */
import { isAxiosError, isCancel } from 'axios';

export type HttpFailure =
  /** the request's deadline passed (connect, send and the whole answer included) */
  | { kind: 'timeout'; timeoutMs: number }
  /** the caller's AbortSignal fired */
  | { kind: 'canceled' }
  /** no answer: `code` is a Node/axios error code (ECONNREFUSED, ENOTFOUND, ERR_FR_TOO_MANY_REDIRECTS…) or "request failed" */
  | { kind: 'network'; code: string };

/** Error codes look like ECONNREFUSED or ERR_BAD_RESPONSE; anything else (a message, a URL) is not kept. */
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' && CODE.test(code)) return code;
  // dual-stack connects fail with an AggregateError whose code sits on its members
  const errors = (value as { errors?: unknown }).errors;
  return Array.isArray(errors) ? codeOf(errors[0]) : undefined;
}

/**
 * What a failed request amounts to. `timedOut`: the request's own deadline signal has fired (the
 * caller checks it, as a cancellation by the deadline and by the caller look alike to axios).
 */
export function httpFailureOf(err: unknown, ctx: { timedOut: boolean; timeoutMs: number }): HttpFailure {
  if (ctx.timedOut) return { kind: 'timeout', timeoutMs: ctx.timeoutMs };
  if (isCancel(err)) return { kind: 'canceled' };
  const code = codeOf(err) ?? (isAxiosError(err) || err instanceof Error ? codeOf(err.cause) : undefined);
  // axios' own timeout (socket idle or connect phase) reports ECONNABORTED
  if (code === 'ECONNABORTED') return { kind: 'timeout', timeoutMs: ctx.timeoutMs };
  return { kind: 'network', code: code ?? 'request failed' };
}

/**
 * The failure in a sentence naming the destination by `display` (a URL without credentials or
 * query): "<what> at <display> timed out after <n>ms" or "<what> unreachable at <display>: <code>".
 */
export function describeHttpFailure(what: string, display: string, failure: HttpFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return `${what} at ${display} timed out after ${failure.timeoutMs}ms`;
    case 'canceled':
      return `${what} at ${display}: request cancelled`;
    case 'network':
      return `${what} unreachable at ${display}: ${failure.code}`;
  }
}

/** The failure in a word or two, naming no destination: "timed out", "ECONNREFUSED", "request cancelled". */
export function httpFailureReason(failure: HttpFailure): string {
  return failure.kind === 'timeout' ? 'timed out' : failure.kind === 'canceled' ? 'request cancelled' : failure.code;
}
