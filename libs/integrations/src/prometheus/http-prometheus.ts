/**
 * Prometheus over HTTP: instant queries as a POST form to /api/v1/query (long queries fit),
 * bounded by a client-side timeout that is also passed to Prometheus. Never throws; every
 * failure is an `ok: false` outcome with a message fit for an operator. Headers (e.g.
 * Authorization) are sent but never appear in messages; credentials in the URL are masked.
 */
import type { MetricsSource } from '#application';
import { formatPromDuration, parsePromResponse, promErrorOf, type QueryOutcome, type ScrapeTiming } from '#domain';
import { HttpClient } from '../http/client.js';
import { describeHttpFailure } from '../http/failure.js';
import { displayUrl, snippet, splitCredentials } from '../http/url.js';
import { ScrapeTimingReader } from './scrape-timing.js';

export interface HttpPrometheusOptions {
  /** base URL, e.g. http://prometheus:9090 (a path prefix is kept) */
  url: string;
  /** e.g. Authorization; never logged */
  headers?: Record<string, string>;
}

/** Bounds a query when the caller's timeout is longer (each query passes its own). */
const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpPrometheus implements MetricsSource {
  readonly #endpoint: string;
  readonly #display: string;
  readonly #headers: Record<string, string>;
  readonly #http = new HttpClient({ timeoutMs: DEFAULT_TIMEOUT_MS });
  readonly #scrapes: ScrapeTimingReader;

  constructor(opts: HttpPrometheusOptions) {
    const { url, authorization } = splitCredentials(opts.url.replace(/\/+$/, ''));
    this.#endpoint = `${url}/api/v1/query`;
    this.#display = displayUrl(url);
    const given = opts.headers ?? {};
    const hasAuth = Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
    this.#headers = {
      ...(authorization && !hasAuth ? { authorization } : {}),
      ...given,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const { 'content-type': _form, ...readHeaders } = this.#headers;
    this.#scrapes = new ScrapeTimingReader(this.#http, url, readHeaders);
  }

  /** When this Prometheus's scrapes of the targets exposing `metrics` end (null when unknown): scrape-timing.ts. */
  scrapeTiming(metrics: readonly string[]): Promise<ScrapeTiming | null> {
    return this.#scrapes.timing(metrics);
  }

  async query(promql: string, opts: { timeoutMs: number }): Promise<QueryOutcome> {
    const started = performance.now();
    const timeoutMs = Math.max(1, Math.round(opts.timeoutMs));
    const failed = (error: string, status?: number): QueryOutcome => ({
      ok: false,
      error,
      durationMs: Math.round(performance.now() - started),
      ...(status === undefined ? {} : { status }),
    });

    const answer = await this.#http.send({
      method: 'POST',
      url: this.#endpoint,
      headers: this.#headers,
      body: new URLSearchParams({ query: promql, timeout: formatPromDuration(timeoutMs) }).toString(),
      timeoutMs,
    });
    if (!answer.ok) return failed(describeHttpFailure('prometheus', this.#display, answer.failure));
    const { status, text } = answer;

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failed(`prometheus answered ${status} with non-JSON: ${snippet(text)}`, status);
    }
    const promError = promErrorOf(body);
    if (status < 200 || status >= 300) {
      if ((status === 400 || status === 422) && promError) return failed(`bad query (${promError.errorType}): ${promError.error}`, status);
      return failed(`prometheus answered ${status}: ${promError ? `${promError.errorType}: ${promError.error}` : snippet(text)}`, status);
    }
    const parsed = parsePromResponse(body);
    if (!parsed.ok)
      return failed(
        promError ? `prometheus error (${promError.errorType}): ${promError.error}` : `unexpected answer from prometheus: ${parsed.error}`,
        status,
      );
    const notes = {
      ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}),
      ...(parsed.infos.length > 0 ? { infos: parsed.infos } : {}),
    };
    return { ok: true, result: parsed.result, durationMs: Math.round(performance.now() - started), ...notes };
  }
}
