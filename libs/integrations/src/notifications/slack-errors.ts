/** @slack/web-api and @slack/webhook errors → DeliveryError (retryable or not, Retry-After). Never includes secrets. */
import { DeliveryError } from '#application';

/** Slack `ok: false` error codes worth retrying. */
const RETRYABLE_CODES = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'team_added_to_org',
]);

interface SlackLikeError {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  original?: unknown;
  data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
}

/** "ECONNREFUSED", "timeout"… from a fetch failure, without URLs or headers. */
export function describeRequestFailure(original: unknown): string {
  if (!(original instanceof Error)) return 'request failed';
  if (original.name === 'TimeoutError' || original.name === 'AbortError') return 'timed out';
  const cause = (original as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && cause.name === 'ConnectTimeoutError') return 'connect timeout';
  return 'request failed';
}

export function slackError(what: string, err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SlackLikeError;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const sec = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : 1;
      return new DeliveryError(`${what}: rate limited (Retry-After ${sec}s)`, true, sec * 1000);
    }
    case 'slack_webapi_http_error':
    case 'slack_webhook_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      return new DeliveryError(`${what}: HTTP ${status}`, status >= 500 || status === 408 || status === 429 || status === 0);
    }
    case 'slack_webapi_platform_error': {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      const ra = e.data?.response_metadata?.retryAfter;
      return new DeliveryError(
        `${what}: Slack error ${code}`,
        RETRYABLE_CODES.has(code),
        code === 'ratelimited' && typeof ra === 'number' ? ra * 1000 : undefined,
      );
    }
    case 'slack_webapi_request_error':
    case 'slack_webhook_request_error':
      return new DeliveryError(`${what}: ${describeRequestFailure(e.original)}`, true);
    default:
      return new DeliveryError(`${what}: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}
