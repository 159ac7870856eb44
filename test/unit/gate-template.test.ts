import { describe, expect, it } from 'vitest';
import { formatPromDuration, renderQuery, TemplateError, templateVariables, validateTemplate, type TemplateVars } from '#domain';

const vars: TemplateVars = {
  region: 'eu-west',
  service: 'checkout',
  namespace: 'shop',
  version: '1.4.2',
  previousVersion: '1.4.1',
  window: '2m',
};

describe('gate query templates', () => {
  it('replaces {{name}} and {{ name }}', () => {
    const q =
      'sum(rate(http_requests_total{region="{{region}}",service="{{ service }}",ns="{{namespace}}",version="{{version}}"}[{{ window }}])) / ignoring() {{previousVersion}}';
    expect(renderQuery(q, vars)).toBe(
      'sum(rate(http_requests_total{region="eu-west",service="checkout",ns="shop",version="1.4.2"}[2m])) / ignoring() 1.4.1',
    );
  });

  it('leaves PromQL braces alone', () => {
    expect(renderQuery('sum by (code) (x{a="b"})', vars)).toBe('sum by (code) (x{a="b"})');
  });

  it('an unknown variable throws a TemplateError naming it', () => {
    expect(() => renderQuery('x{r="{{regoin}}"}', vars)).toThrow(TemplateError);
    expect(() => renderQuery('x{r="{{regoin}}"}', vars)).toThrow(/unknown variable \{\{regoin\}\}/);
  });

  it('lists variables and validates templates', () => {
    expect(templateVariables('{{region}} {{ window }} {{region}} {{bogus}}')).toEqual(['region', 'window', 'bogus']);
    expect(validateTemplate('x{r="{{region}}"}[{{window}}]')).toEqual([]);
    expect(validateTemplate('{{bogus}}')).toEqual([
      'unknown variable {{bogus}} (known: region, service, namespace, version, previousVersion, window)',
    ]);
    expect(validateTemplate('{{}}')[0]).toContain('unknown variable {{}}');
    expect(validateTemplate('x{{region y}}')[0]).toContain('malformed placeholder');
  });

  it('refuses values that could break out of a PromQL string, but allows regex alternations', () => {
    expect(() => renderQuery('x{v="{{version}}"}', { ...vars, version: '1"} or vector(0) #' })).toThrow(/version/);
    expect(renderQuery('x{region=~"{{region}}"}', { ...vars, region: 'us-east|ap-south' })).toBe('x{region=~"us-east|ap-south"}');
  });
});

describe('formatPromDuration', () => {
  it.each([
    [30_000, '30s'],
    [120_000, '2m'],
    [1_500, '1500ms'],
    [90_000, '90s'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [5_400_000, '90m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatPromDuration(ms)).toBe(text);
  });

  it('rejects non-positive durations', () => {
    expect(() => formatPromDuration(0)).toThrow(RangeError);
    expect(() => formatPromDuration(NaN)).toThrow(RangeError);
  });
});
