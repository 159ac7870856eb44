/**
 * The region simulator's global load balancer: GET / PUT <url>/lb/regions/<region> with
 * `{"weight": n}`; it answers `{"region","weight","targetWeight"}` (weight moves toward
 * targetWeight over time). getWeight reports the target: what Tideline last asked for.
 */
import { TrafficError, type TrafficProvider } from '#application';
import { HttpClient } from '../http/client.js';
import { call, checkWeight, expect2xx, parseJson, weightField } from './http.js';

export interface SimulatorLoadBalancerOptions {
  url: string;
  /** bearer token; never logged */
  token?: string;
  timeoutMs: number;
}

const WHAT = 'simulator load balancer';

export class SimulatorLoadBalancer implements TrafficProvider {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #http: HttpClient;

  constructor(opts: SimulatorLoadBalancerOptions) {
    this.#base = opts.url.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs;
    this.#http = new HttpClient({ timeoutMs: opts.timeoutMs });
  }

  async setWeight(region: string, weight: number): Promise<void> {
    checkWeight(weight);
    const url = this.#url(region);
    const answer = await call(
      WHAT,
      this.#http,
      url,
      { method: 'PUT', headers: this.#headers(true), body: JSON.stringify({ weight }) },
      this.#timeoutMs,
    );
    expect2xx(WHAT, 'PUT', url, answer);
  }

  async getWeight(region: string): Promise<number | null> {
    const url = this.#url(region);
    const answer = await call(WHAT, this.#http, url, { method: 'GET', headers: this.#headers(false) }, this.#timeoutMs);
    expect2xx(WHAT, 'GET', url, answer);
    const body = parseJson(answer.text);
    const target = weightField(body, 'targetWeight') ?? weightField(body, 'weight');
    if (target === undefined)
      throw new TrafficError(`${WHAT} answered GET without a weight for region ${region}`, answer.status, answer.text.slice(0, 200));
    return target;
  }

  #url(region: string): string {
    return `${this.#base}/lb/regions/${encodeURIComponent(region)}`;
  }

  #headers(json: boolean): Record<string, string> {
    return {
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
    };
  }
}
