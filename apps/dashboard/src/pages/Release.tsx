/** A release: header and progress, the frozen plan, waves as columns of region tiles, actions, gate charts and the timeline — live. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeliveryView, EventView, GatesView, Page, RegionView, ReleaseDetailView } from '#view-types';
import { ApiError } from '../api.js';
import { ActionBar } from '../components/ActionBar.js';
import { GatePanel } from '../components/GatePanel.js';
import { StateBadge } from '../components/StateBadge.js';
import { Timeline } from '../components/Timeline.js';
import { WaveBoard } from '../components/WaveBoard.js';
import { useNow, useTitle } from '../hooks.js';
import { formatDuration } from '../logic/countdown.js';
import { applyChange, mergeEvents } from '../logic/release-model.js';
import { progress } from '../logic/states.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { openStream } from '../stream.js';

const ACTIVE = new Set(['queued', 'running', 'paused', 'awaiting_approval', 'rolling_back']);

export function ReleasePage({ id }: { id: string }) {
  const { api } = useSession();
  const now = useNow(1000);
  const [release, setRelease] = useState<ReleaseDetailView | null>(null);
  const [events, setEvents] = useState<EventView[]>([]);
  const [gates, setGates] = useState<GatesView | null>(null);
  const [deliveries, setDeliveries] = useState<DeliveryView[]>([]);
  const [weights, setWeights] = useState<Map<string, number | null>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const pendingGates = useRef<ReturnType<typeof setTimeout> | null>(null);
  useTitle(release ? `${release.service} ${release.version}` : 'Release');

  // Evaluations are read incrementally (after the last one held), a page of 1,000 at a time.
  const lastEvaluation = useRef<string | null>(null);
  const gatesBusy = useRef(false);
  const loadGates = useCallback(async () => {
    if (gatesBusy.current) return; // one reader at a time: pages must not be appended twice
    gatesBusy.current = true;
    api.get<Page<DeliveryView>>(`/v1/notifications?releaseId=${id}&limit=200`).then(
      (p) => setDeliveries(p.items),
      () => undefined,
    );
    try {
      for (let page = 0; page < 20; page++) {
        const after = lastEvaluation.current ? `&after=${lastEvaluation.current}` : '';
        const g = await api.get<GatesView>(`/v1/releases/${id}/gates?limit=1000${after}`);
        const last = g.evaluations[g.evaluations.length - 1];
        if (last) lastEvaluation.current = last.id;
        setGates((old) => ({
          gates: g.gates,
          evaluations: old && after ? [...old.evaluations, ...g.evaluations] : g.evaluations,
          nextAfter: g.nextAfter,
        }));
        if (!g.nextAfter) return;
      }
    } catch {
      /* the next poll or event tries again */
    } finally {
      gatesBusy.current = false;
    }
  }, [api, id]);
  const soonGates = useCallback(() => {
    if (pendingGates.current) return;
    pendingGates.current = setTimeout(() => {
      pendingGates.current = null;
      void loadGates();
    }, 400);
  }, [loadGates]);

  const load = useCallback(async () => {
    try {
      const [r, ev] = await Promise.all([
        api.getFresh<ReleaseDetailView>(`/v1/releases/${id}`),
        api.get<{ items: EventView[] }>(`/v1/releases/${id}/events?limit=1000`),
      ]);
      setRelease(r);
      setEvents((old) => mergeEvents(old, ev.items));
      setError(null);
      void loadGates();
      api.get<{ items: RegionView[] }>('/v1/regions').then(
        (rs) => setWeights(new Map(rs.items.map((x) => [x.name, x.traffic.weight]))),
        () => undefined,
      );
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `No release ${id}.` : (err as Error).message);
    }
  }, [api, id, loadGates]);

  useEffect(() => {
    setRelease(null);
    setEvents([]);
    setGates(null);
    lastEvaluation.current = null;
    return openStream(api, id, {
      onReady: () => void load(),
      onReset: () => void load(),
      onStatus: setLive,
      onChange: (c) => {
        setRelease((r) => (r ? applyChange(r, c) : r));
        setEvents((old) => mergeEvents(old, [c.event]));
        soonGates();
      },
    });
  }, [api, id, load, soonGates]);

  // Gate evaluations are not events: refresh them while the release runs.
  const active = release ? ACTIVE.has(release.state) : false;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void loadGates(), 3000);
    return () => clearInterval(t);
  }, [active, loadGates]);

  if (error) return <main className="error">{error}</main>;
  if (!release) return <main>Loading…</main>;
  const p = progress(release.stages.flatMap((s) => s.regions.map((t) => t.state)));
  const started = release.startedAt ? Date.parse(release.startedAt) : null;
  return (
    <main className="release">
      <div className="crumbs">
        <Link to="/">← releases</Link>
        <span className={`live ${live ? 'on' : ''}`}>{live ? '● live' : '○ reconnecting'}</span>
      </div>
      <header className="release-head">
        <h1>
          {release.service} <span className="version">{release.version}</span> <small>#{release.releaseNumber}</small>
        </h1>
        <span data-testid="release-state">
          <StateBadge state={release.state} />
        </span>
        {release.stateReason && <span className="state-reason">{release.stateReason}</span>}
        <div className="progress" title={`${p.done} of ${p.total} regions verified`}>
          <div className="bar">
            <i style={{ width: `${Math.round(p.fraction * 100)}%` }} />
          </div>
          {p.done}/{p.total} regions · stage {release.currentStage ?? '—'}
          {started && ` · ${formatDuration((release.endedAt ? Date.parse(release.endedAt) : now) - started)}`}
        </div>
      </header>
      <div className="plan-meta">
        image <code>{release.image}</code> · requested by {release.requestedBy ?? '—'}
        {release.gitSha && ` · ${release.gitSha.slice(0, 10)}`} · plan frozen at creation
      </div>
      <ActionBar release={release} onDone={() => void load()} />
      <WaveBoard release={release} now={now} weights={weights} />
      <div className="columns">
        <section className="gates-col">
          <h2>Gates</h2>
          <GatePanel gates={gates} />
        </section>
        <section className="timeline-col">
          <h2>Timeline</h2>
          <Timeline events={events} deliveries={deliveries} />
        </section>
      </div>
    </main>
  );
}
