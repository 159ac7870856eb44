/** "Propose a plan" for a service: the wave planner's canary and waves with each placement's reason, and the plan as YAML to copy. */
import { useState } from 'react';
import type { PlanProposalView } from '#view-types';
import { useSession } from '../session.js';

export function ProposePlan({ service }: { service: string }) {
  const { api } = useSession();
  const [proposal, setProposal] = useState<PlanProposalView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);

  const propose = async () => {
    setBusy(true);
    setError(null);
    try {
      setProposal(await api.post<PlanProposalView>('/v1/plans/propose', { service }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!proposal) return;
    try {
      await navigator.clipboard.writeText(proposal.yaml);
      setCopied('copied');
    } catch {
      setCopied('the browser refused the clipboard: select the text instead');
    }
  };
  const rate = new Map(proposal?.traffic.map((t) => [t.region, t.requestRate]) ?? []);
  const placement = (p: { region: string; reason: string }) => (
    <li key={p.region} data-region={p.region}>
      <b>{p.region}</b>
      {rate.get(p.region) != null && <small className="muted"> {Number(rate.get(p.region)!.toPrecision(3))} req/s</small>} —{' '}
      <span className="reason">{p.reason}</span>
    </li>
  );
  return (
    <div data-testid="plan-proposal">
      <button type="button" onClick={() => void propose()} disabled={busy} data-testid="propose-plan">
        {proposal ? 'Propose again' : 'Propose a plan'}
      </button>{' '}
      <span className="muted">a dry run from each region's tier, tags, time zone and measured traffic; nothing is saved</span>
      {error && <p className="error">{error}</p>}
      {proposal && (
        <>
          <ol className="proposal">
            <li data-wave="canary">
              canary
              <ul>{placement(proposal.plan.canary)}</ul>
            </li>
            {proposal.plan.waves.map((w) => (
              <li key={w.name} data-wave={w.name}>
                {w.name}{' '}
                <small className="muted">
                  max {w.maxParallel} at once — {w.reason}
                </small>
                <ul>{w.regions.map(placement)}</ul>
              </li>
            ))}
          </ol>
          <div className="yaml-head">
            save as <code>{proposal.path}</code>, then add your gates{' '}
            <button type="button" onClick={() => void copy()} data-testid="copy-yaml">
              Copy YAML
            </button>{' '}
            {copied && <span className="muted">{copied}</span>}
          </div>
          <pre data-testid="plan-yaml">{proposal.yaml}</pre>
        </>
      )}
    </div>
  );
}
