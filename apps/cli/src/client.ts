/**
 * The API client: one axios instance (timeout, keep-alive) with the bearer token; every
 * failure becomes a CliError carrying the exit code (HTTP status, unreachable, refused token).
 */
import http from 'node:http';
import https from 'node:https';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { EXIT, exitForStatus, type ExitCode } from './exit-codes.js';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error the CLI reports as lines on stderr and an exit code; never a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details: string[] = [],
    /** the API answered (status) or could not be reached (null) */
    readonly status: number | null = null,
    /** a lost connection or a busy API: worth another try while waiting */
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token?: string;
  timeoutMs: number;
}

export class ApiClient {
  readonly http: AxiosInstance;

  constructor(readonly options: ClientOptions) {
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      headers: {
        Accept: 'application/json, application/problem+json',
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      maxRedirects: 0,
    });
  }

  /** `signal` cancels the call (a wait stopped by Ctrl-C does not sit out a slow answer). */
  async get<T>(path: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return this.send<T>({ method: 'GET', url: path, params: clean(params), signal });
  }

  async post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }> {
    try {
      const res = await this.http.request<T>({ method: 'POST', url: path, data: body ?? {}, headers });
      return { status: res.status, body: res.data };
    } catch (err) {
      throw toCliError(err, this.options.url);
    }
  }

  private async send<T>(config: {
    method: string;
    url: string;
    params?: Record<string, unknown>;
    signal?: AbortSignal | undefined;
  }): Promise<T> {
    try {
      return (await this.http.request<T>(config)).data;
    } catch (err) {
      throw toCliError(err, this.options.url);
    }
  }
}

function clean(params?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_NETWORK',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Maps an axios failure to the CLI's error: problem+json fields, refused token, unreachable API. */
export function toCliError(err: unknown, url: string): CliError {
  if (err instanceof CliError) return err;
  if (!isAxiosError(err)) return new CliError(err instanceof Error ? err.message : String(err), EXIT.unreachable);
  const res = err.response;
  if (res === undefined) {
    const code = err.code ?? 'ERR_NETWORK';
    const what = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'did not answer in time' : `is unreachable (${code})`;
    return new CliError(`the Tideline API at ${url} ${what}`, EXIT.unreachable, [], null, TRANSIENT_CODES.has(code));
  }
  const body = (res.data !== null && typeof res.data === 'object' ? res.data : {}) as Record<string, unknown>;
  const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : `HTTP ${res.status}`;
  const details = problemDetails(body);
  const status = res.status;
  if (status === 401)
    return new CliError(`the API refused the token (401): ${detail}; set TIDELINE_TOKEN or --token`, EXIT.unreachable, details, status);
  if (status === 403) return new CliError(`the token may not do this (403): ${detail}`, EXIT.unreachable, details, status);
  const transient = status === 502 || status === 503 || status === 504;
  return new CliError(`${status} ${detail}`, exitForStatus(status), details, status, transient);
}

const PROBLEM_BASICS = new Set(['type', 'title', 'status', 'detail', 'instance']);

/** The problem's fields one per line: `errors` as `field: message`, any other member (state, existing id…) as `name: value`. */
export function problemDetails(body: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (PROBLEM_BASICS.has(key)) continue;
    if (key === 'errors' && Array.isArray(value)) {
      for (const e of value as FieldProblem[]) lines.push(`  ${e.field}: ${e.message}`);
    } else {
      lines.push(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  return lines;
}
