import * as k8s from '@kubernetes/client-node';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/server.js';

export const TOKEN = 'sim-test-token';

/** A KubeConfig for one simulated region, built the way Tideline builds one from a URL + token. */
export function kubeConfigFor(server: string, token: string = TOKEN): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'region', server, skipTLSVerify: true }],
    users: [{ name: 'tideline', token }],
    contexts: [{ name: 'region', cluster: 'region', user: 'tideline' }],
    currentContext: 'region',
  });
  return kc;
}

export function appsApi(server: string, token: string = TOKEN): k8s.AppsV1Api {
  return kubeConfigFor(server, token).makeApiClient(k8s.AppsV1Api);
}

export const strategic = (): ReturnType<typeof k8s.setHeaderOptions> =>
  k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
export const mergePatch = (): ReturnType<typeof k8s.setHeaderOptions> => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** Polls `fn` until `predicate` holds or `timeoutMs` passes; returns every value seen. */
export async function pollUntil<T>(
  fn: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 10,
): Promise<{ last: T; seen: T[] }> {
  const seen: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    seen.push(value);
    if (predicate(value)) return { last: value, seen };
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs}ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function condition(d: k8s.V1Deployment, type: string): k8s.V1DeploymentCondition | undefined {
  return d.status?.conditions?.find((c) => c.type === type);
}

/** The Tideline "rollout complete" rule. */
export function rolloutComplete(d: k8s.V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s?.updatedReplicas ?? 0) === want &&
    (s?.readyReplicas ?? 0) === want &&
    (s?.availableReplicas ?? 0) === want &&
    (s?.replicas ?? 0) === want
  );
}

/** The parsed Kubernetes Status of an ApiException (its body is the raw JSON text). */
export function statusOf(err: unknown): { code: number; reason?: string; kind?: string; message?: string } {
  if (!(err instanceof k8s.ApiException)) throw new Error(`expected an ApiException, got ${String(err)}`);
  const code: number = err.code;
  const raw: unknown = err.body;
  if (typeof raw !== 'string' || raw === '') return { code };
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null) return { code };
  const get = (k: string): string | undefined => {
    const v: unknown = Reflect.get(parsed, k);
    return typeof v === 'string' ? v : undefined;
  };
  const out: { code: number; reason?: string; kind?: string; message?: string } = { code };
  const reason = get('reason');
  const kind = get('kind');
  const message = get('message');
  if (reason !== undefined) out.reason = reason;
  if (kind !== undefined) out.kind = kind;
  if (message !== undefined) out.message = message;
  return out;
}

export async function expectApiError(p: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('expected the call to fail');
}

/** Shared fixture of the client-node suites: two regions, three deployments, token auth. */
export const NS = 'shop';
export const NAME = 'checkout';
export const V1 = 'registry.example.com/shop/checkout:1.0.0';

export function releasePatch(image: string, version: string, release: string): object {
  const labels = { 'app.kubernetes.io/version': version, 'tideline.io/release': release };
  return {
    metadata: { labels },
    spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'checkout', image }] } } },
  };
}

export function startTwoRegionSimulator(): Promise<RunningSimulator> {
  return startSimulator({
    regions: ['eu-west', 'us-east'],
    stepMs: 60,
    progressDeadlineSeconds: 1,
    token: TOKEN,
    deployments: [
      { namespace: NS, name: NAME, container: 'checkout', image: V1, replicas: 3 },
      { namespace: NS, name: 'cart', container: 'cart' },
      { namespace: 'payments', name: 'ledger', container: 'ledger', replicas: 2 },
    ],
  });
}
