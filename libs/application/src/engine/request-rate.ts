/** A region's request rate from its Prometheus (the sum of every series), for drains, restores and plan proposals. */
import { formatPromDuration, renderQuery, type TemplateVars } from '#domain';
import type { MetricsSource } from '../ports.js';

/** null when the query failed or answered something that is not a number; an empty vector is 0. */
export async function requestRate(
  source: MetricsSource,
  template: string,
  vars: Omit<TemplateVars, 'window'>,
  windowMs: number,
  timeoutMs: number,
): Promise<number | null> {
  const query = renderQuery(template, { ...vars, window: formatPromDuration(windowMs) });
  const outcome = await source.query(query, { timeoutMs });
  if (!outcome.ok) return null;
  const r = outcome.result;
  const values = r.kind === 'scalar' ? [r.value] : r.kind === 'vector' ? r.series.map((x) => x.value) : [];
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) : r.kind === 'vector' && r.series.length === 0 ? 0 : null;
}
