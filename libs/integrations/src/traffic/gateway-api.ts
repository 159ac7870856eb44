/**
 * Traffic provider `gateway-api`: a region's share is the weight of its backendRef in an
 * HTTPRoute of the edge cluster, read with `get` and written with `patch` (the only verbs it
 * uses) through @kubernetes/client-node. A write is a JSON patch of just the weights, guarded
 * by `test` operations on the resourceVersion: on a conflict (409/422) it re-reads and
 * recomputes, a few times. A write that changes nothing is skipped. After a write it waits
 * until every parent reports Accepted and ResolvedRefs True for the new generation; a False
 * condition or no report within the timeout is an error (the weight is not trusted).
 */
import * as k8s from '@kubernetes/client-node';
import { TrafficError, type TrafficProvider } from '#application';
import { parentVerdict, readWeight, routeLabel, weightPlan } from './gateway-weights.js';

export interface GatewayApiTrafficOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  route: string;
  /** This region's backendRef name. */
  backendRef: string;
  /** Every backendRef name Tideline manages on this route (all regions sharing it). */
  managed: readonly string[];
  /** Bounds each API call and the wait for the parents' verdict (ms). */
  timeoutMs: number;
  /** How often the route's status is read while waiting (default 100 ms). */
  pollMs?: number;
  /** Writes attempted before a conflict is an error (default 5). */
  maxAttempts?: number;
}

const GROUP = 'gateway.networking.k8s.io';
const VERSION = 'v1';
const PLURAL = 'httproutes';

interface RouteObject {
  metadata?: { generation?: number; resourceVersion?: string };
}

function statusMessage(body: unknown): string {
  if (typeof body !== 'string') return 'no message';
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    /* not JSON */
  }
  return body.slice(0, 200);
}

export class GatewayApiTrafficProvider implements TrafficProvider {
  readonly #api: k8s.CustomObjectsApi;
  readonly #opts: GatewayApiTrafficOptions;
  readonly #label: string;

  constructor(opts: GatewayApiTrafficOptions) {
    this.#opts = opts;
    this.#api = opts.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.#label = `HTTPRoute ${opts.namespace}/${opts.route}`;
  }

  async getWeight(): Promise<number> {
    return readWeight(await this.#read(), this.#opts.backendRef);
  }

  async setWeight(region: string, weight: number): Promise<void> {
    const deadline = Date.now() + this.#opts.timeoutMs;
    const attempts = this.#opts.maxAttempts ?? 5;
    let lastConflict = '';
    for (let attempt = 1; attempt <= attempts && (attempt === 1 || Date.now() < deadline); attempt += 1) {
      const route = await this.#read();
      const plan = weightPlan(route, this.#opts.backendRef, weight, this.#opts.managed);
      // nothing to write: the weight is already there, but it is only trusted once accepted
      if (plan.ops.length === 0) return this.#awaitAccepted(region, route.metadata?.generation ?? 0, deadline);
      try {
        const patched = (await this.#call('patch', () =>
          this.#api.patchNamespacedCustomObject(
            { group: GROUP, version: VERSION, namespace: this.#opts.namespace, plural: PLURAL, name: this.#opts.route, body: plan.ops },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
          ),
        )) as RouteObject;
        return this.#awaitAccepted(region, patched.metadata?.generation ?? 0, deadline);
      } catch (err) {
        if (!(err instanceof TrafficError) || (err.status !== 409 && err.status !== 422)) throw err;
        lastConflict = err.message; // the route changed since it was read: read it again
      }
    }
    throw new TrafficError(
      `${this.#label}: the weight of backendRef ${this.#opts.backendRef} could not be written (conflicting edits for ${attempts} attempts or ${this.#opts.timeoutMs}ms): ${lastConflict}`,
      409,
    );
  }

  /** Polls the route until its parents accept `generation` (throws when one refuses or time runs out). */
  async #awaitAccepted(region: string, generation: number, deadline: number): Promise<void> {
    for (;;) {
      const route = await this.#read();
      const current = route.metadata?.generation ?? 0;
      const verdict = parentVerdict(route, Math.max(generation, 1));
      if (verdict.rejected) {
        throw new TrafficError(`${routeLabel(route)} (generation ${current}) was not accepted for region ${region}: ${verdict.rejected}`);
      }
      if (verdict.ready) return;
      if (Date.now() >= deadline) {
        throw new TrafficError(
          `${routeLabel(route)}: its parents did not report Accepted and ResolvedRefs for generation ${generation} within ${this.#opts.timeoutMs}ms`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(this.#opts.pollMs ?? 100, Math.max(1, deadline - Date.now()))));
    }
  }

  async #read(): Promise<RouteObject> {
    return (await this.#call('get', () =>
      this.#api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.#opts.namespace,
        plural: PLURAL,
        name: this.#opts.route,
      }),
    )) as RouteObject;
  }

  /** Bounds a call in time; API failures become TrafficError with the HTTP status. */
  async #call<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TrafficError(`${verb} ${this.#label} timed out after ${this.#opts.timeoutMs}ms`)),
        this.#opts.timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (err) {
      if (err instanceof TrafficError) throw err;
      if (err instanceof k8s.ApiException) {
        const code = Number(err.code);
        throw new TrafficError(
          `${verb} ${this.#label} failed with HTTP ${code}: ${statusMessage(err.body)}`,
          code,
          statusMessage(err.body),
        );
      }
      throw new TrafficError(`${verb} ${this.#label} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
