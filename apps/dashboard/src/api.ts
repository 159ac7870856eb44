/** Calls to the Tideline API with the signed-in token; problem+json answers become ApiError. */
import type { Problem } from '#view-types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

export class Api {
  constructor(readonly token: string) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, accept: 'application/json', ...extra };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', path, undefined, signal);
  }

  /**
   * A read past the API's short-lived read cache (Cache-Control: no-cache): for the snapshot a
   * live stream's changes are applied to, which must not be older than where the stream starts.
   */
  async getFresh<T>(path: string): Promise<T> {
    return this.send<T>('GET', path, undefined, undefined, { 'cache-control': 'no-cache' });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: this.headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, parsed && typeof parsed === 'object' ? (parsed as Problem) : null);
    return parsed as T;
  }
}
