/** Operator actions on a release, each with a reason; offered by state, disabled (scope named) for a token that may not act; the API's answer shown. */
import { useState, type FormEvent } from 'react';
import type { ActionResultView, ReleaseDetailView } from '#view-types';
import { ApiError } from '../api.js';
import { offeredActions, type Offer } from '../logic/actions.js';
import { useSession } from '../session.js';

export function ActionBar({ release, onDone }: { release: ReleaseDetailView; onDone: () => void }) {
  const { api, me } = useSession();
  const [open, setOpen] = useState<Offer | null>(null);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const offers = offeredActions(release, me.scopes);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!open) return;
    setBusy(true);
    try {
      const body = { ...(reason.trim() ? { reason: reason.trim() } : {}), ...(open.region ? { region: open.region } : {}) };
      const res = await api.post<ActionResultView>(`/v1/releases/${release.id}/${open.action}`, body);
      setResult({ ok: true, text: res.message });
      setOpen(null);
      setReason('');
      onDone();
    } catch (err) {
      const state = err instanceof ApiError && err.problem?.state ? ` (state: ${err.problem.state})` : '';
      setResult({ ok: false, text: `${err instanceof ApiError ? `${err.status} ` : ''}${(err as Error).message}${state}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="actions" data-testid="actions">
      {offers.length === 0 && <span className="muted">No action applies to a {release.state.replace(/_/g, ' ')} release.</span>}
      {offers.map((o) => (
        <button
          key={`${o.action}-${o.region ?? ''}`}
          type="button"
          className={`action action-${o.action}`}
          data-action={o.action}
          disabled={o.disabled !== null}
          title={o.disabled ?? `${o.action}${o.region ? ` ${o.region}` : ''}: asks for a reason`}
          onClick={() => {
            setOpen(o);
            setResult(null);
          }}
        >
          {o.action}
          {o.region ? ` ${o.region}` : ''}
        </button>
      ))}
      {offers.some((o) => o.disabled) && (
        <span className="scope-note" data-testid="scope-note">
          read-only: {offers.find((o) => o.disabled)!.disabled} (token {me.name} has {me.scopes.join(', ')})
        </span>
      )}
      {open && (
        <form className="reason-form" onSubmit={submit} data-testid="reason-form">
          <label>
            Reason for {open.action}
            {open.region ? ` ${open.region}` : ''}
            {open.reasonRequired ? ' (required)' : ''}
            <input
              name="reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required={open.reasonRequired}
              autoFocus
              maxLength={500}
            />
          </label>
          <button type="submit" disabled={busy} data-testid="confirm-action">
            Confirm {open.action}
          </button>
          <button type="button" className="link" onClick={() => setOpen(null)}>
            cancel
          </button>
        </form>
      )}
      {result && (
        <p className={result.ok ? 'ok' : 'error'} role="status" data-testid="action-result">
          {result.text}
        </p>
      )}
    </div>
  );
}
