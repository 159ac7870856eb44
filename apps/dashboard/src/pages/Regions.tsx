/** Regions: what runs where, traffic weight, last drain/restore and its drain time; drain and restore with a reason; drills; a service's history, time-to-smoke and proposed plan. */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { OperationView, Page, RegionView, ReleaseView } from '#view-types';
import { ApiError } from '../api.js';
import { Drills } from '../components/Drills.js';
import { ProposePlan } from '../components/ProposePlan.js';
import { StateBadge } from '../components/StateBadge.js';
import { TimeToSmoke } from '../components/TimeToSmoke.js';
import { useNow, useTitle } from '../hooks.js';
import { mayOperate, OPERATE_SCOPE } from '../logic/actions.js';
import { ago, formatDuration } from '../logic/countdown.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';

function lastOp(o: OperationView | null, now: number): string {
  if (!o) return '—';
  const took =
    o.kind === 'drain'
      ? o.drainMs !== null
        ? `, drained in ${formatDuration(o.drainMs)}`
        : ''
      : o.restoreMs !== null
        ? `, restored in ${formatDuration(o.restoreMs)}`
        : '';
  return `${o.kind} ${o.state}${took} · ${o.actor} ${ago(o.requestedAt, now)}${o.reason ? ` — ${o.reason}` : ''}`;
}

function History({ service }: { service: string }) {
  const { api } = useSession();
  const [items, setItems] = useState<ReleaseView[] | null>(null);
  useEffect(() => {
    api.get<Page<ReleaseView>>(`/v1/releases?service=${encodeURIComponent(service)}&limit=50`).then(
      (p) => setItems(p.items),
      () => setItems([]),
    );
  }, [api, service]);
  if (!items) return <p>Loading…</p>;
  return (
    <table className="history" data-testid="service-history">
      <thead>
        <tr>
          <th>release</th>
          <th>outcome</th>
          <th>duration</th>
          <th>reason</th>
        </tr>
      </thead>
      <tbody>
        {items.map((r) => (
          <tr key={r.id}>
            <td>
              <Link to={`/releases/${r.id}`}>
                {r.version} #{r.releaseNumber}
              </Link>
            </td>
            <td>
              <StateBadge state={r.state} />
            </td>
            <td>{r.startedAt ? formatDuration((r.endedAt ? Date.parse(r.endedAt) : Date.now()) - Date.parse(r.startedAt)) : '—'}</td>
            <td>{r.stateReason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RegionsPage() {
  useTitle('Regions');
  const { api, me } = useSession();
  const now = useNow(5000);
  const [regions, setRegions] = useState<RegionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<{ region: string; kind: 'drain' | 'restore' } | null>(null);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const service = new URLSearchParams(useLocation().search).get('service');
  const setService = (s: string) => navigate(`/regions?service=${encodeURIComponent(s)}`);
  const canOperate = mayOperate(me.scopes);

  const load = useCallback(() => {
    api.get<{ items: RegionView[] }>('/v1/regions').then(
      (r) => {
        setRegions(r.items);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000); // each answer asks every region's cluster and traffic provider
    return () => clearInterval(t);
  }, [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!acting) return;
    try {
      const res = await api.post<{ message: string }>(
        `/v1/regions/${acting.region}/${acting.kind}`,
        reason.trim() ? { reason: reason.trim() } : {},
      );
      setResult({ ok: true, text: res.message });
      setActing(null);
      setReason('');
      load();
    } catch (err) {
      setResult({ ok: false, text: `${err instanceof ApiError ? `${err.status} ` : ''}${(err as Error).message}` });
    }
  };

  const services = [...new Set((regions ?? []).flatMap((r) => r.services.map((s) => s.service)))].sort();
  return (
    <main>
      <h1>Regions</h1>
      {error && <p className="error">{error}</p>}
      {!canOperate && <p className="scope-note">read-only: drain and restore need scope {OPERATE_SCOPE}</p>}
      {result && (
        <p className={result.ok ? 'ok' : 'error'} role="status">
          {result.text}
        </p>
      )}
      {acting && (
        <form className="reason-form" onSubmit={submit}>
          <label>
            Reason to {acting.kind} {acting.region}
            <input value={reason} onChange={(e) => setReason(e.target.value)} autoFocus maxLength={500} />
          </label>
          <button type="submit">Confirm {acting.kind}</button>
          <button type="button" className="link" onClick={() => setActing(null)}>
            cancel
          </button>
        </form>
      )}
      <table className="regions" data-testid="regions">
        <thead>
          <tr>
            <th>region</th>
            <th>tier</th>
            <th>weight</th>
            {services.map((s) => (
              <th key={s}>
                <button type="button" className="link" onClick={() => setService(s)} title="history of this service">
                  {s}
                </button>
              </th>
            ))}
            <th>last drain / restore</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(regions ?? []).map((r) => (
            <tr key={r.name} data-region={r.name}>
              <td>
                <b>{r.name}</b> <small className="muted">{r.timeZone}</small>
              </td>
              <td>{r.tier}</td>
              <td title={r.traffic.error ?? r.traffic.provider}>{r.traffic.weight ?? (r.traffic.provider === 'none' ? 'n/a' : '?')}</td>
              {services.map((s) => (
                <td key={s}>{r.services.find((x) => x.service === s)?.version ?? '—'}</td>
              ))}
              <td className="muted">{lastOp(r.lastOperation, now)}</td>
              <td>
                {r.traffic.provider !== 'none' &&
                  (['drain', 'restore'] as const).map((kind) => (
                    <button
                      key={kind}
                      type="button"
                      disabled={!canOperate}
                      title={canOperate ? `${kind} ${r.name}` : `needs scope ${OPERATE_SCOPE}`}
                      onClick={() => setActing({ region: r.name, kind })}
                    >
                      {kind}
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="service-pick"
        onSubmit={(e) => {
          e.preventDefault();
          const s = new FormData(e.currentTarget).get('service')?.toString().trim();
          if (s) setService(s);
        }}
      >
        <input name="service" aria-label="service" placeholder="service" defaultValue={service ?? ''} key={service ?? ''} />
        <button type="submit">History, time to smoke, plan</button>
      </form>
      {regions && <Drills regions={regions} canOperate={canOperate} />}
      {service && (
        <section data-service={service}>
          <h2>History of {service}</h2>
          <History service={service} />
          <h2>Time to smoke of {service}</h2>
          <TimeToSmoke service={service} />
          <h2>Propose a plan for {service}</h2>
          <ProposePlan key={service} service={service} />
        </section>
      )}
    </main>
  );
}
