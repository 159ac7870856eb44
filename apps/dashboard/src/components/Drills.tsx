/** Drills on the regions page: start a drain or rollback drill with a goal and a reason, follow its progress, and each region's times against its goal. */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DrillDetailView, DrillsView, DrillStartedView, DrillTrendView, RegionView } from '#view-types';
import { ApiError } from '../api.js';
import { OPERATE_SCOPE } from '../logic/actions.js';
import { formatDuration } from '../logic/countdown.js';
import { drillEnded, drillProgress, trendGeometry, trendSummary } from '../logic/learning.js';
import { useSession } from '../session.js';

const W = 140;
const H = 34;

function Trend({ t }: { t: DrillTrendView }) {
  const g = trendGeometry(t, W, H);
  return (
    <svg
      width={W}
      height={H}
      className="trend"
      role="img"
      aria-label={`${t.kind} times against the goal ${formatDuration(t.goalMs)}`}
      data-goal-ms={t.goalMs}
      data-times={g.points.map((p) => p.ms).join(',')}
    >
      <line x1={0} x2={W} y1={g.goalY} y2={g.goalY} className="goal" />
      {g.points.length > 1 && <polyline points={g.line} className="times" />}
      {g.points.map((p) => (
        <circle key={p.at} cx={p.x} cy={p.y} r={2.5} className={p.met ? 'met' : 'missed'}>
          <title>{`${p.at.replace('T', ' ').slice(0, 19)}: ${(p.ms / 1000).toFixed(1)}s`}</title>
        </circle>
      ))}
    </svg>
  );
}

export function Drills({ regions, canOperate }: { regions: RegionView[]; canOperate: boolean }) {
  const { api } = useSession();
  const [list, setList] = useState<DrillsView | null>(null);
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ kind: 'drain' as 'drain' | 'rollback', region: '', service: '', goal: '10m', reason: '' });
  const [followId, setFollowId] = useState<string | null>(null);
  const [current, setCurrent] = useState<DrillDetailView | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(() => {
    api.get<DrillsView>('/v1/drills?limit=200').then(
      (l) => {
        setList(l);
        const inFlight = l.items.find((d) => !drillEnded(d));
        setFollowId((id) => id ?? inFlight?.id ?? null);
      },
      () => undefined,
    );
  }, [api]);
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, [load]);

  // Follow one drill every second until it ends, then refresh the trends.
  useEffect(() => {
    if (!followId) return;
    let stop = false;
    const tick = async () => {
      try {
        const d = await api.get<DrillDetailView>(`/v1/drills/${followId}`);
        if (stop) return;
        setCurrent(d);
        if (drillEnded(d)) return load();
      } catch {
        /* try again */
      }
      if (!stop) setTimeout(() => void tick(), 1000);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [api, followId, load]);

  const drainable = regions.filter((r) => r.traffic.provider !== 'none');
  const choices = form.kind === 'drain' ? drainable : regions;
  const region = form.region && choices.some((r) => r.name === form.region) ? form.region : (choices[0]?.name ?? '');
  const services = regions.find((r) => r.name === region)?.services.map((s) => s.service) ?? [];
  const service = services.includes(form.service) ? form.service : (services[0] ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      kind: form.kind,
      region,
      goal: form.goal.trim(),
      reason: form.reason.trim(),
      ...(form.kind === 'rollback' && service ? { service } : {}),
    };
    try {
      const res = await api.post<DrillStartedView>('/v1/drills', body);
      setResult({ ok: true, text: res.message });
      setCurrent(null);
      setFollowId(res.drill.id);
      setOpen(false);
    } catch (err) {
      const fields =
        err instanceof ApiError && err.problem?.errors ? `: ${err.problem.errors.map((f) => `${f.field} ${f.message}`).join('; ')}` : '';
      setResult({ ok: false, text: `${err instanceof ApiError ? `${err.status} ` : ''}${(err as Error).message}${fields}` });
    }
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  return (
    <section data-testid="drills">
      <h2>Drills</h2>
      <p className="muted">
        Practise the response: a drain (time to 99% drained, then restored) or a rollback of a service (back, then forward), timed against a
        goal. Always undone.
      </p>
      <button
        type="button"
        disabled={!canOperate}
        title={canOperate ? 'start a drill' : `needs scope ${OPERATE_SCOPE}`}
        onClick={() => setOpen(true)}
        data-testid="start-drill"
      >
        Start a drill
      </button>
      {!canOperate && <span className="scope-note"> read-only: drills need scope {OPERATE_SCOPE}</span>}
      {open && (
        <form className="reason-form drill-form" onSubmit={submit} data-testid="drill-form">
          <select name="kind" aria-label="kind" value={form.kind} onChange={set('kind')}>
            <option value="drain">drain</option>
            <option value="rollback">rollback</option>
          </select>
          <select name="region" aria-label="region" value={region} onChange={set('region')}>
            {choices.map((r) => (
              <option key={r.name}>{r.name}</option>
            ))}
          </select>
          {form.kind === 'rollback' && (
            <select name="service" aria-label="service" value={service} onChange={set('service')}>
              {services.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
          <label>
            goal <input name="goal" value={form.goal} onChange={set('goal')} size={5} required />
          </label>
          <label>
            reason <input name="reason" value={form.reason} onChange={set('reason')} required maxLength={1000} />
          </label>
          <button type="submit" data-testid="confirm-drill">
            Start {form.kind} drill
          </button>
          <button type="button" className="link" onClick={() => setOpen(false)}>
            cancel
          </button>
        </form>
      )}
      {result && (
        <p className={result.ok ? 'ok' : 'error'} role="status" data-testid="drill-result">
          {result.text}
        </p>
      )}
      {current && (
        <p
          className="drill-now"
          data-testid="drill-progress"
          data-state={current.state}
          data-first-ms={current.firstMs ?? ''}
          data-goal-ms={current.goalMs}
        >
          {current.kind} drill of {current.region}
          {current.service ? ` (${current.service})` : ''} by {current.actor}: {drillProgress(current)}
        </p>
      )}
      {list && list.trend.length > 0 && (
        <table className="history" data-testid="drill-trends">
          <thead>
            <tr>
              <th>region</th>
              <th>drill</th>
              <th>goal</th>
              <th>times vs goal</th>
              <th>summary</th>
            </tr>
          </thead>
          <tbody>
            {list.trend.map((t) => (
              <tr key={`${t.region}-${t.kind}`} data-region={t.region} data-kind={t.kind}>
                <td>{t.region}</td>
                <td>{t.kind}</td>
                <td>{formatDuration(t.goalMs)}</td>
                <td>
                  <Trend t={t} />
                </td>
                <td>{trendSummary(t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && list.trend.length === 0 && <p className="muted">No drill yet.</p>}
    </section>
  );
}
