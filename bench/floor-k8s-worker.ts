/**
 * One process of the honest floor (see floor-k8s.ts): a bare BullMQ Worker doing, per
 * region-step, exactly the unavoidable work — GET the Deployment, commit what runs (one row),
 * PATCH it (strategic merge: image + labels), GET it again to see the rollout done, commit the
 * step (one row), enqueue the next step. Kubernetes through @kubernetes/client-node's transport
 * and auth with a keep-alive agent per cluster and the JSON read as plain objects (no typed
 * models), as the engine does (libs/integrations/src/kubernetes/kube-requests.ts).
 */
import * as k8s from '@kubernetes/client-node';
import { Queue, Worker } from 'bullmq';
import { KeepAliveKubeConfig } from '../libs/integrations/src/kubernetes/keep-alive-kubeconfig.js';
import { KubeRequests } from '../libs/integrations/src/kubernetes/kube-requests.js';
import { redisConnection } from '../libs/integrations/src/queue/redis.js';
import { FLOOR_K8S_JOB_OPTIONS, FLOOR_K8S_NAMESPACE, FLOOR_K8S_QUEUE, floorK8sJobId, type FloorK8sJob } from './floor-k8s-shared.js';
import { newPool } from './support.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const regions = env('FLOOR_REGIONS').split(',');
const concurrency = Number(env('FLOOR_CONCURRENCY'));
const connection = redisConnection(env('FLOOR_REDIS_URL'));
const prefix = env('FLOOR_PREFIX');
const pool = newPool(env('FLOOR_DATABASE_URL'), concurrency + 2);

const apps = new Map<string, KubeRequests>();
for (const region of regions) {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: region, server: `${env('FLOOR_SIMULATOR_URL')}/regions/${region}`, skipTLSVerify: true }],
    users: [{ name: 'floor' }],
    contexts: [{ name: region, cluster: region, user: 'floor' }],
    currentContext: region,
  });
  apps.set(region, new KubeRequests(kc));
}

interface Deployment {
  metadata?: { generation?: number };
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } };
  status?: { observedGeneration?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

const isDone = (d: Deployment) => {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    s.updatedReplicas === want &&
    s.readyReplicas === want &&
    s.availableReplicas === want
  );
};

const queue = new Queue<FloorK8sJob>(FLOOR_K8S_QUEUE, { connection, prefix, defaultJobOptions: FLOOR_K8S_JOB_OPTIONS });
let extraReads = 0;

const worker = new Worker<FloorK8sJob>(
  FLOOR_K8S_QUEUE,
  async (job) => {
    const { row, step } = job.data;
    const region = regions[step - 1]!;
    const api = apps.get(region)!;
    const name = `svc-${String(row).padStart(3, '0')}`;
    const image = `registry.example.com/${FLOOR_K8S_NAMESPACE}/${name}:2.0.0`;
    const path = `/apis/apps/v1/namespaces/${FLOOR_K8S_NAMESPACE}/deployments/${name}`;
    const read = async () => JSON.parse(await api.get(path)) as Deployment;
    const before = await read();
    const previous = before.spec?.template?.spec?.containers?.[0]?.image ?? '';
    await pool.query('UPDATE floor_k8s_steps SET previous_image = $2, patching = true WHERE id = $1', [row, previous]);
    const labels = { 'app.kubernetes.io/version': '2.0.0', 'tideline.io/release': `floor-${row}` };
    await api.patch(path, k8s.PatchStrategy.StrategicMergePatch, {
      metadata: { labels },
      spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } } },
    });
    while (!isDone(await read())) extraReads++;
    await pool.query('UPDATE floor_k8s_steps SET step = $2, patching = false, done_at = clock_timestamp() WHERE id = $1', [row, step]);
    if (step < regions.length) await queue.add('floor.k8s.step', { row, step: step + 1 }, { jobId: floorK8sJobId(row, step + 1) });
  },
  { connection, prefix, concurrency, lockDuration: 15_000, stalledInterval: 7_500, maxStalledCount: 1_000 },
);
worker.on('error', (err) => console.error(JSON.stringify({ level: 50, msg: 'floor worker error', err: err.message })));
worker.on('failed', (_job, err) => console.error(JSON.stringify({ level: 40, msg: 'floor job failed', err: err.message })));
await worker.waitUntilReady();
console.log(JSON.stringify({ level: 30, msg: 'floor worker ready' }));

const stop = async () => {
  await worker.close();
  await queue.close();
  await pool.end();
  if (extraReads > 0) console.log(JSON.stringify({ level: 30, msg: 'floor extra reads', extraReads }));
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
