/** Audit: who did what, when and why, newest first (GET /v1/audit). */
import { useEffect, useState } from 'react';
import type { AuditEntryView as AuditEntry } from '#view-types';
import { useTitle } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function AuditPage() {
  useTitle('Audit');
  const { api } = useSession();
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ items: AuditEntry[] }>('/v1/audit?limit=200').then(
      (p) => setItems(p.items),
      (e: Error) => setError(e.message),
    );
  }, [api]);
  return (
    <main>
      <h1>Audit</h1>
      {error && <p className="error">{error}</p>}
      <table className="audit">
        <tbody>
          {(items ?? []).map((e) => (
            <tr key={`${e.type}-${e.id}`}>
              <td>{e.at ? new Date(e.at).toLocaleString() : ''}</td>
              <td>
                <b>{e.actor}</b>
              </td>
              <td>{e.type}</td>
              <td>
                {e.releaseId ? <Link to={`/releases/${e.releaseId}`}>{e.service ?? e.releaseId.slice(0, 8)}</Link> : (e.region ?? '')}
              </td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
