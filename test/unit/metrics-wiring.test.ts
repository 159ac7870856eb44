/**
 * The metrics wiring without a database: a committed step is counted (events, region steps,
 * gate verdicts by stage, release drains) and logged with releaseId/service/region; delivery
 * outcomes are counted; Kubernetes and Prometheus calls are timed with outcome labels; a
 * scrape-time gauge whose source fails is left empty and counted; and the whole text, every
 * family populated, passes `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WorkloadError, type Clusters, type MetricsSources } from '#application';
import { InstrumentedClusters, InstrumentedMetricsSources, TidelineMetrics } from '#integrations';
import type { Db, NotificationStore, ReleaseStore } from '#persistence';
import { observeNotificationStore, observeReleaseStore } from '#runtime';

const release = {
  id: '6f1c1f1e-0000-4000-8000-000000000001',
  service: 'checkout',
  plan: { planName: 'checkout', service: 'checkout', stages: [{ name: 'canary' }, { name: 'wave-1' }] },
} as unknown as Parameters<ReleaseStore['applyStep']>[0];

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  const make = (bound: Record<string, unknown>): unknown => ({
    child: (more: Record<string, unknown>) => make({ ...bound, ...more }),
    info: (o: object, msg?: string) => lines.push({ level: 'info', ...bound, ...o, msg }),
    warn: (o: object, msg?: string) => lines.push({ level: 'warn', ...bound, ...o, msg }),
    error: (o: object, msg?: string) => lines.push({ level: 'error', ...bound, ...o, msg }),
  });
  return { log: make({}) as Parameters<typeof observeReleaseStore>[3], lines };
}

describe('metrics wiring', () => {
  it('counts and logs a committed step, deliveries and client calls; promtool accepts the text', async () => {
    const metrics = new TidelineMetrics();
    const { log, lines } = logger();
    const store = {
      applyStep: async () => 1,
      create: async () => ({ kind: 'created', release }),
      promoteNextQueued: async () => null,
    } as unknown as ReleaseStore;
    const db = {
      read: async () => [{ actions: 1, action_at: new Date(2_000), verdict_at: new Date(1_500), breach_at: new Date(1_000) }],
    } as unknown as Db;
    observeReleaseStore(store, db, metrics, log);
    await store.applyStep(release, {
      events: [
        { type: 'gate.failed', actor: 'tideline', region: 'us-west' },
        {
          type: 'region.drained',
          actor: 'tideline',
          region: 'us-west',
          fromState: 'draining',
          toState: 'drained',
          data: { drainMs: 4_200 },
        },
        { type: 'region.restore_patched', actor: 'tideline', region: 'us-west' },
      ],
      evaluations: [
        { region: 'us-west', stageIndex: 1, verdict: 'fail' } as never,
        { region: 'us-west', stageIndex: 0, verdict: 'pass' } as never,
      ],
    });
    await store.create({} as never, 'ci');
    await new Promise((r) => setTimeout(r, 10)); // the action latency is read after the commit, not awaited

    const deliveries = {
      markSent: async () => undefined,
      markRetry: async () => undefined,
      markDead: async () => undefined,
    } as unknown as NotificationStore;
    observeNotificationStore(deliveries, metrics);
    await deliveries.markSent('d1', null);
    await deliveries.markRetry('d2', 'boom', 100, true);
    await deliveries.markRetry('d3', '429', 100, false);
    await deliveries.markDead('d4', 'gone');

    const failing = {
      snapshot: async () => Promise.reject(new WorkloadError('r: read failed with HTTP 404', true, 404)),
      observe: async () => Promise.reject(new Error('r: read timed out after 5ms')),
    };
    const clusters = new InstrumentedClusters({ forRegion: () => failing } as unknown as Clusters, metrics);
    await expect(clusters.forRegion('us-west').snapshot({ namespace: 'shop', deployment: 'x', container: 'x' })).rejects.toThrow(/404/);
    await expect(clusters.forRegion('us-west').observe({ namespace: 'shop', deployment: 'x', container: 'x' })).rejects.toThrow(
      /timed out/,
    );
    const sources = new InstrumentedMetricsSources(
      {
        forRegion: () => ({ query: async () => ({ ok: false, error: 'bad query', status: 400, durationMs: 1 }) }),
      } as unknown as MetricsSources,
      metrics,
    );
    await sources.forRegion('us-west').query('up', { timeoutMs: 100 });
    metrics.jobWait.observe({ queue: 'q', job: 'release.tick' }, 0.01);
    metrics.jobRun.observe({ queue: 'q', job: 'release.tick', outcome: 'completed' }, 0.02);
    metrics.gauge('tideline_test_down', 'a gauge whose source is down', ['x'], 'redis', () => Promise.reject(new Error('down')));

    await metrics.text(); // the failed collect is counted from the next scrape on
    const text = await metrics.text();
    const has = (line: string) => expect(text.split('\n'), line).toContain(line);
    has('tideline_release_transitions_total{service="checkout",type="gate.failed"} 1');
    has('tideline_release_transitions_total{service="checkout",type="release.created"} 1');
    has('tideline_region_steps_total{region="us-west",step="restore_patched"} 1');
    has('tideline_gate_evaluations_total{region="us-west",stage="wave-1",verdict="fail"} 1');
    has('tideline_gate_evaluations_total{region="us-west",stage="canary",verdict="pass"} 1');
    has('tideline_drain_duration_seconds_sum{region="us-west",kind="release",outcome="drained"} 4.2');
    has('tideline_gate_verdict_to_action_seconds_sum{service="checkout",action="rollback"} 0.5');
    has('tideline_breach_to_rollback_patch_seconds_sum{service="checkout"} 1');
    for (const status of ['sent', 'retry', 'rate_limited', 'dead']) has(`tideline_notification_deliveries_total{status="${status}"} 1`);
    has('tideline_kubernetes_requests_total{region="us-west",verb="get",outcome="4xx"} 1');
    has('tideline_kubernetes_requests_total{region="us-west",verb="get",outcome="timeout"} 1');
    has('tideline_prometheus_queries_total{region="us-west",outcome="4xx"} 1');
    has('tideline_metrics_collect_errors_total{source="redis"} 1');
    expect(text).not.toMatch(/^tideline_test_down\{/m);
    expect(text).not.toContain(release.id);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);

    const patched = lines.find((l) => l.event === 'region.restore_patched');
    expect(patched).toMatchObject({ level: 'info', releaseId: release.id, service: 'checkout', region: 'us-west' });
  });
});
