/** Home: every service's releases, what needs an operator first; filters (service, state) in the URL; live. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Page, ReleaseDetailView, ReleaseView } from '#view-types';
import { StateBadge } from '../components/StateBadge.js';
import { useNow, useTitle } from '../hooks.js';
import { matches, orderForAttention, readFilters, writeFilters, type AttentionGroup, type ReleaseHints } from '../logic/attention.js';
import { ago } from '../logic/countdown.js';
import { upsertRelease } from '../logic/release-model.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { openStream } from '../stream.js';

const ACTIVE = ['failed', 'rolling_back', 'paused', 'awaiting_approval', 'running', 'queued'];
const GROUPS: Array<[AttentionGroup, string]> = [
  ['needs-attention', 'Needs attention'],
  ['running', 'Running'],
  ['queued', 'Queued'],
  ['ended', 'Recently ended'],
];

function hintsOf(d: ReleaseDetailView): ReleaseHints {
  const targets = d.stages.flatMap((s) => s.regions);
  return {
    blockedReason: targets.find((t) => t.blockedReason)?.blockedReason ?? null,
    draining: targets.some((t) => t.state === 'draining'),
  };
}

export function Home() {
  useTitle('Releases');
  const { api } = useSession();
  const { search } = useLocation();
  const filters = readFilters(search);
  const now = useNow(5000);
  const [releases, setReleases] = useState<ReleaseView[] | null>(null);
  const [hints, setHints] = useState<Map<string, ReleaseHints>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [complete, setComplete] = useState(false);
  const services = useRef(new Set<string>());

  // Two steps: the newest releases first (drawn at once), then every release in a state that
  // needs someone or runs, however old (the needs-attention list is complete after this step).
  const load = useCallback(async () => {
    const merge = (pages: Array<Page<ReleaseView>>) =>
      setReleases((old) => {
        const byId = new Map<string, ReleaseView>((old ?? []).map((r) => [r.id, r]));
        for (const p of pages) for (const r of p.items) byId.set(r.id, r);
        for (const r of byId.values()) services.current.add(r.service);
        return [...byId.values()];
      });
    try {
      setComplete(false);
      merge([await api.getFresh<Page<ReleaseView>>('/v1/releases?limit=100')]);
      const pages = await Promise.all(ACTIVE.map((s) => api.getFresh<Page<ReleaseView>>(`/v1/releases?state=${s}&limit=200`)));
      merge(pages);
      setComplete(true);
      setError(null);
      const running = pages
        .flatMap((p) => p.items)
        .filter((r) => r.state === 'running')
        .slice(0, 20);
      const details = await Promise.all(running.map((r) => api.getFresh<ReleaseDetailView>(`/v1/releases/${r.id}`).catch(() => null)));
      setHints(new Map(details.filter((d): d is ReleaseDetailView => d !== null).map((d) => [d.id, hintsOf(d)])));
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);

  // Load at once (first paint), and again when the stream is subscribed: that second load covers
  // whatever changed between the first one and the subscription; deltas follow.
  useEffect(() => void load(), [load]);
  useEffect(
    () =>
      openStream(api, null, {
        onReady: () => void load(),
        onReset: () => void load(),
        onStatus: setLive,
        onChange: (c) => {
          services.current.add(c.release.service);
          setReleases((list) => (list ? upsertRelease(list, c.release) : list));
          if (c.target) {
            const t = c.target;
            setHints((h) => {
              const next = new Map(h);
              const prev = next.get(c.release.id) ?? {};
              next.set(c.release.id, {
                blockedReason: t.blockedReason ?? (prev.blockedReason && t.state === 'pending' ? prev.blockedReason : null),
                draining: t.state === 'draining' || (prev.draining === true && t.state !== 'drained'),
              });
              return next;
            });
          }
        },
      }),
    [api, load],
  );

  const items = useMemo(
    () =>
      orderForAttention(
        (releases ?? []).filter((r) => matches(r, filters)),
        hints,
        now,
      ),
    [releases, hints, filters.service, filters.state, now],
  );
  const setFilter = (key: 'service' | 'state', value: string) =>
    navigate(`/${writeFilters({ ...filters, [key]: value || undefined })}`, true);

  return (
    <main data-complete={complete}>
      <div className="toolbar">
        <h1>Releases</h1>
        <label>
          service{' '}
          <select value={filters.service ?? ''} onChange={(e) => setFilter('service', e.target.value)} aria-label="service filter">
            <option value="">all</option>
            {[...services.current].sort().map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          state{' '}
          <select value={filters.state ?? ''} onChange={(e) => setFilter('state', e.target.value)} aria-label="state filter">
            <option value="">all</option>
            {[
              'running',
              'paused',
              'awaiting_approval',
              'rolling_back',
              'queued',
              'succeeded',
              'rolled_back',
              'failed',
              'cancelled',
              'superseded',
            ].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <span className={`live ${live ? 'on' : ''}`}>{live ? '● live' : '○ connecting'}</span>
      </div>
      {error && <p className="error">{error}</p>}
      {releases === null && !error && <p>Loading…</p>}
      {GROUPS.map(([group, title]) => {
        const rows = items.filter((i) => i.group === group);
        if (rows.length === 0) return null;
        return (
          <section key={group} className={`group group-${group}`} data-testid={`group-${group}`}>
            <h2>
              {title} <small>({rows.length})</small>
            </h2>
            <table className="releases">
              <tbody>
                {rows.map(({ release: r, why }) => (
                  <tr key={r.id} data-release={r.id}>
                    <td>
                      <StateBadge state={r.state} />
                    </td>
                    <td>
                      <Link to={`/releases/${r.id}`}>
                        <b>{r.service}</b> {r.version}
                      </Link>
                      <small> #{r.releaseNumber}</small>
                    </td>
                    <td className="why">{why}</td>
                    <td className="muted">{r.requestedBy ?? ''}</td>
                    <td className="muted">{ago(r.updatedAt, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
      {releases !== null && items.length === 0 && <p className="muted">No releases match.</p>}
    </main>
  );
}
