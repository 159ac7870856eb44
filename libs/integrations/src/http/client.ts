/**
 * Outbound HTTP for one destination (a Prometheus, a traffic endpoint, a webhook): an axios
 * instance with its own keep-alive agents and timeout. Every request is bounded by a deadline
 * (an AbortSignal, optionally joined with the caller's), its body is sent and its answer read
 * as text exactly, every status comes back as an answer (the caller decides), no proxy is taken
 * from the environment, and a failure comes back as an HttpFailure, never as the AxiosError.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { httpFailureOf, type HttpFailure } from './failure.js';

export interface HttpClientOptions {
  /** bounds each request (ms) unless the request brings its own */
  timeoutMs: number;
  /** redirects followed (default 20, as fetch); 0: a 3xx is an answer like any other */
  maxRedirects?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  /** sent byte for byte (signatures are computed over it) */
  body?: string;
  timeoutMs?: number;
  /** cancels the request (with the deadline, whichever comes first) */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
  /** a response header (case-insensitive), or undefined */
  header(name: string): string | undefined;
}

export type HttpResult = ({ ok: true } & HttpAnswer) | { ok: false; failure: HttpFailure };

const identity = <T>(data: T): T => data;

export class HttpClient {
  readonly #axios: AxiosInstance;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #timeoutMs: number;

  constructor(opts: HttpClientOptions) {
    this.#timeoutMs = opts.timeoutMs;
    // an idle timeout makes Node honour a server's `Keep-Alive: timeout=N` hint instead of reusing a
    // socket the server is closing (ECONNRESET on the next request)
    const keepAlive = { keepAlive: true, timeout: 30_000 };
    this.#agents = { http: new http.Agent(keepAlive), https: new https.Agent(keepAlive) };
    this.#axios = axios.create({
      timeout: opts.timeoutMs,
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      maxRedirects: opts.maxRedirects ?? 20,
      proxy: false,
      responseType: 'text',
      transformRequest: [identity],
      transformResponse: [identity],
      validateStatus: () => true,
    });
  }

  async send(req: HttpRequest): Promise<HttpResult> {
    const timeoutMs = Math.max(1, Math.round(req.timeoutMs ?? this.#timeoutMs));
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const res = await this.#axios.request<string>({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(req.body === undefined ? {} : { data: req.body }),
        timeout: timeoutMs,
        signal: req.signal ? AbortSignal.any([req.signal, deadline]) : deadline,
      });
      const headers = res.headers;
      return {
        ok: true,
        status: res.status,
        text: typeof res.data === 'string' ? res.data : String(res.data ?? ''),
        header: (name) => {
          const v: unknown = headers[name.toLowerCase()];
          return v === undefined || v === null ? undefined : String(v);
        },
      };
    } catch (err) {
      return { ok: false, failure: httpFailureOf(err, { timedOut: deadline.aborted, timeoutMs }) };
    }
  }

  /** Closes the idle keep-alive connections (a process that stops need not call it). */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
