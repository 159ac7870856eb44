/** A service's time-to-smoke: per region and overall the failures, mean, p50, p90, max, the recommended bakes with their reasons, and the evidence. */
import { useEffect, useState } from 'react';
import type { TimeToSmokeView } from '#view-types';
import { formatDuration } from '../logic/countdown.js';
import { preciseDuration, smokeRows } from '../logic/learning.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function TimeToSmoke({ service }: { service: string }) {
  const { api } = useSession();
  const [data, setData] = useState<TimeToSmokeView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    api.get<TimeToSmokeView>(`/v1/services/${encodeURIComponent(service)}/time-to-smoke`).then(setData, (e: Error) => setError(e.message));
  }, [api, service]);
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  const rows = smokeRows(data);
  const overall = rows[0]!;
  return (
    <div data-testid="time-to-smoke">
      <p className="muted">
        How long after a region's rollout completed its first failing gate evaluation came (during the bake, or after verification: a slow
        smoke), over releases since {data.since.slice(0, 10)}. Recommended bake: 2 × mean (the seed's rule) or p95; with fewer than{' '}
        {data.minFailures} failures, the default {formatDuration(data.defaultBakeMs)}.
      </p>
      <p className={overall.tooFew ? 'scope-note' : ''} data-testid="smoke-recommendation">
        Recommended bake for {data.service}: <b>{overall.twiceMean}</b> by 2 × mean — {overall.group.recommendations.twiceMean.reason};{' '}
        <b>{overall.p95}</b> by p95 — {overall.group.recommendations.p95.reason}
        {overall.tooFew && <> ({overall.tooFew})</>}
      </p>
      <table className="history smoke">
        <thead>
          <tr>
            <th>region</th>
            <th>failures</th>
            <th>mean</th>
            <th>p50</th>
            <th>p90</th>
            <th>max</th>
            <th>bake 2 × mean</th>
            <th>bake p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-smoke={r.key} title={r.reasons} className={r.key === 'overall' ? 'overall' : ''}>
              <td>{r.label}</td>
              <td>{r.failures}</td>
              <td>{r.mean}</td>
              <td>{r.p50}</td>
              <td>{r.p90}</td>
              <td>{r.max}</td>
              <td>{r.twiceMean}</td>
              <td>
                {r.p95}
                {r.tooFew && <div className="scope-note">{r.tooFew}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Evidence</h3>
      {data.overall.evidence.length === 0 ? (
        <p className="muted">No failing gate evaluation after a rollout in this period.</p>
      ) : (
        <ul className="evidence" data-testid="smoke-evidence">
          {data.overall.evidence.map((e) => (
            <li key={`${e.releaseId}-${e.region}`}>
              <Link to={`/releases/${e.releaseId}`}>{e.version}</Link> in {e.region}: {e.gate} failed {preciseDuration(e.delayMs)} after the
              rollout ({e.phase === 'watch' ? 'slow smoke, after verification' : 'during the bake'}) ·{' '}
              <span className="muted">{e.firstFailureAt.replace('T', ' ').slice(0, 19)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
