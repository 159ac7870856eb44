/** regions.yaml beyond clusters: prometheus, traffic and deploymentWindow, under `defaults:` and per region. */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, fixture, FIXTURES, load, problems, REGIONS, removeFixtures } from '../fixtures/config/harness.js';
import { loadConfig, Secret } from '#config';
import type { RegionConfig } from '#config';

afterAll(removeFixtures);

const OPS_ENV = { PROM_TOKEN: 'prom-t0ken', WEBHOOK_SECRET: 'hmac-s3cret', SIM_TOKEN: 'sim-t0ken' };
const NO_TRAFFIC = { provider: 'none', drainedFraction: 0.01, drainTimeoutMs: 600_000, timeoutMs: 5_000, windowMs: 15_000 };
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** regions.yaml (as JSON) with `ops` added to eu-west and optional `defaults`. */
function regionsFile(ops: object, defaults?: object): Record<string, string> {
  const regions = [
    { name: 'eu-west', kubernetes: { context: 'eu' }, ...ops },
    { name: 'us-east', kubernetes: { context: 'us' } },
  ];
  return { 'regions.yaml': JSON.stringify({ ...(defaults ? { defaults } : {}), regions }) };
}
function euWest(ops: object, env: NodeJS.ProcessEnv = {}): RegionConfig {
  const region = load(regionsFile(ops), env).regionsByName.get('eu-west');
  if (region === undefined) throw new Error('eu-west missing');
  return region;
}
const opsProblems = (ops: object, env: NodeJS.ProcessEnv = {}, defaults?: object) => problems(regionsFile(ops, defaults), env);
const window = (deploymentWindow: object) => euWest({ deploymentWindow }).deploymentWindow;
const windowProblems = (deploymentWindow: object) => opsProblems({ deploymentWindow });
const AT = '<dir>/regions.yaml: regions[0]';

describe('regions.yaml: defaults and overrides', () => {
  const config = () => loadConfig(`${FIXTURES}/ops`, OPS_ENV);
  const region = (name: string) => config().regionsByName.get(name);

  it('applies defaults.prometheus unless a region sets its own (trailing slash removed)', () => {
    for (const name of ['canary-1', 'us-east']) {
      const prometheus = region(name)?.prometheus;
      expect(prometheus).toEqual({ url: 'http://prometheus.example.com:9090', timeoutMs: 10_000, bearerToken: expect.any(Secret) });
      expect(prometheus?.bearerToken?.reveal()).toBe('prom-t0ken');
    }
    // An override replaces the whole key: no token is inherited.
    expect(region('eu-west')?.prometheus).toEqual({ url: 'https://prom-eu.example.com', timeoutMs: 5_000 });
  });

  it('applies defaults.traffic unless a region sets its own', () => {
    const canary = region('canary-1')?.traffic;
    expect(canary).toEqual({
      provider: 'webhook',
      url: 'https://lb.example.com/hooks/tideline',
      secret: expect.any(Secret),
      rateQuery: 'sum(rate(http_requests_total{region="{{region}}"}[{{window}}]))',
      drainedFraction: 0.01,
      drainTimeoutMs: 600_000,
      timeoutMs: 5_000,
      windowMs: 15_000,
    });
    expect(canary?.secret?.reveal()).toBe('hmac-s3cret');
    const eu = region('eu-west')?.traffic;
    expect(eu).toEqual({
      provider: 'simulator',
      url: 'http://127.0.0.1:7070',
      token: expect.any(Secret),
      drainedFraction: 0.05,
      drainTimeoutMs: 120_000,
      windowMs: 30_000,
      timeoutMs: 2_000,
    });
    expect(eu?.token?.reveal()).toBe('sim-t0ken');
    expect(region('us-east')?.traffic).toEqual(NO_TRAFFIC);
  });

  it('applies defaults.deploymentWindow unless a region sets its own', () => {
    const holidays = { fromMs: Date.UTC(2026, 11, 20), toMs: Date.UTC(2027, 0, 4), reason: 'end-of-year holidays' };
    const officeHours = { allow: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], startMinute: 540, endMinute: 1020 }], freezes: [holidays] };
    expect(region('canary-1')?.deploymentWindow).toEqual(officeHours);
    expect(region('us-east')?.deploymentWindow).toEqual(officeHours);
    expect(region('eu-west')?.deploymentWindow).toEqual({
      allow: [
        { days: ['sat', 'sun'], startMinute: 0, endMinute: 1440 },
        { days: ['mon', 'wed', 'fri'], startMinute: 1320, endMinute: 360 },
      ],
      freezes: [{ fromMs: Date.UTC(2026, 10, 27, 17), toMs: Date.UTC(2026, 10, 30, 8), reason: 'black friday' }],
    });
  });

  it('never shows tokens or webhook secrets in strings, JSON or inspect output', () => {
    const loaded = config();
    const secrets = loaded.regions
      .flatMap((r) => [r.prometheus?.bearerToken, r.traffic.token, r.traffic.secret])
      .filter((s) => s !== undefined);
    expect(secrets).toHaveLength(4);
    expect(secrets.map(String)).toEqual(Array(4).fill('[redacted]'));
    const dump = [
      JSON.stringify(loaded.regions),
      inspect(loaded, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      secrets.join(','),
    ].join('\n');
    for (const value of Object.values(OPS_ENV)) expect(dump).not.toContain(value);
  });

  it('without any of them: no Prometheus, no traffic provider, always open', () => {
    const config = load({ 'regions.yaml': REGIONS });
    expect(config.regionsByName.get('eu-west')).toMatchObject({
      prometheus: null,
      traffic: NO_TRAFFIC,
      deploymentWindow: { allow: [], freezes: [] },
    });
  });

  it('removes every trailing slash from URLs and keeps their path', () => {
    const region = euWest({
      prometheus: { url: 'http://prom:9090/prefix//' },
      traffic: { provider: 'simulator', url: 'http://sim:7070/' },
    });
    expect(region.prometheus?.url).toBe('http://prom:9090/prefix');
    expect(region.traffic.url).toBe('http://sim:7070');
  });

  it.each([
    ['mon-fri', ['mon', 'tue', 'wed', 'thu', 'fri']],
    [
      ['mon', 'wed'],
      ['mon', 'wed'],
    ],
    ['fri-mon', ['mon', 'fri', 'sat', 'sun']],
    [
      ['sat', 'mon-tue', 'mon'],
      ['mon', 'tue', 'sat'],
    ],
    ['SUN', ['sun']],
    [undefined, WEEK],
  ])('reads days %j', (days, expected) => {
    expect(window({ allow: [{ days, hours: '09:00-17:00' }] }).allow).toEqual([{ days: expected, startMinute: 540, endMinute: 1020 }]);
  });

  it.each([
    ['09:00-17:00', 540, 1020],
    ['00:00-24:00', 0, 1440],
    ['22:00-06:00', 1320, 360],
    ['23:30-00:15', 1410, 15],
  ])('reads hours %s', (hours, startMinute, endMinute) => {
    expect(window({ allow: [{ days: 'mon', hours }] }).allow).toEqual([{ days: ['mon'], startMinute, endMinute }]);
  });

  it.each([
    ['2026-12-24', Date.UTC(2026, 11, 24)],
    ['2026-12-24T18:00:00Z', Date.UTC(2026, 11, 24, 18)],
    ['2026-12-24T18:00:00+01:00', Date.UTC(2026, 11, 24, 17)],
    ['2026-12-24T18:00:00-0500', Date.UTC(2026, 11, 24, 23)],
    ['2028-02-29', Date.UTC(2028, 1, 29)],
  ])('reads the freeze start %s', (from, fromMs) => {
    expect(window({ freezes: [{ from, to: '2030-01-01', reason: 'x' }] }).freezes).toEqual([
      { fromMs, toMs: Date.UTC(2030, 0, 1), reason: 'x' },
    ]);
  });
});

describe('regions.yaml: prometheus and traffic errors', () => {
  const URL_HINT = 'must be an http(s) URL like http://prometheus:9090';

  it.each([['prometheus:9090'], ['ftp://prom'], [''], [9090]])('refuses the Prometheus URL %j', (url) => {
    expect(opsProblems({ prometheus: { url } })).toEqual([`${AT}.prometheus.url: ${URL_HINT}`]);
  });

  it('requires a URL and a positive timeout', () => {
    expect(opsProblems({ prometheus: { timeout: '0s' } })).toEqual([
      `${AT}.prometheus.url: is required`,
      `${AT}.prometheus.timeout: must be a positive duration like 30s`,
    ]);
    expect(opsProblems({}, {}, { prometheus: 'http://prom:9090' })).toEqual([
      '<dir>/regions.yaml: defaults.prometheus: must be a mapping (key: value)',
    ]);
  });

  it('names an unset or empty token variable, never a value', () => {
    expect(opsProblems({ prometheus: { url: 'http://p', bearerTokenEnv: 'PROM_TOKEN' } })).toEqual([
      `${AT}.prometheus.bearerTokenEnv: environment variable PROM_TOKEN is not set`,
    ]);
    expect(opsProblems({ prometheus: { url: 'http://p', bearerTokenEnv: 'PROM_TOKEN' } }, { PROM_TOKEN: '  ' })).toEqual([
      `${AT}.prometheus.bearerTokenEnv: environment variable PROM_TOKEN is empty`,
    ]);
    expect(
      opsProblems({}, {}, { traffic: { provider: 'webhook', url: 'http://lb', secretEnv: 'HOOK_SECRET', tokenEnv: 'LB_TOKEN' } }),
    ).toEqual([
      '<dir>/regions.yaml: defaults.traffic.tokenEnv: environment variable LB_TOKEN is not set',
      '<dir>/regions.yaml: defaults.traffic.secretEnv: environment variable HOOK_SECRET is not set',
    ]);
    expect(opsProblems({ prometheus: { url: 'http://p', bearerTokenEnv: 'prom-token' } })).toEqual([
      `${AT}.prometheus.bearerTokenEnv: must be an environment variable name like PROM_TOKEN`,
    ]);
    const dir = fixture(
      regionsFile({ prometheus: { url: 'nope', bearerTokenEnv: 'PROM_TOKEN' }, traffic: { provider: 'webhook', secretEnv: 'HOOK' } }),
    );
    const error = configError(dir, { PROM_TOKEN: 'pr0m-value', HOOK: 'h00k-value' });
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `regions[0].prometheus.url: ${URL_HINT}`,
      'regions[0].traffic.url: is required for provider webhook',
    ]);
    expect([error.message, JSON.stringify(error.issues), inspect(error, { depth: 10 })].join('\n')).not.toMatch(/pr0m-value|h00k-value/);
  });

  it('refuses secrets written in YAML, pointing at the right *Env key, without echoing them', () => {
    const lines = opsProblems({
      prometheus: { url: 'http://p', bearerToken: 'y3s-secret', token: 'y3s-secret' },
      traffic: { provider: 'webhook', url: 'http://lb', secret: 'y3s-secret', token: 'y3s-secret' },
    });
    expect(lines).toEqual([
      `${AT}.prometheus.bearerToken: unknown key "bearerToken" (name an environment variable in bearerTokenEnv)`,
      `${AT}.prometheus.token: unknown key "token" (name an environment variable in bearerTokenEnv)`,
      `${AT}.traffic.secret: unknown key "secret" (name an environment variable in secretEnv)`,
      `${AT}.traffic.token: unknown key "token" (name an environment variable in tokenEnv)`,
    ]);
    expect(lines.join('\n')).not.toContain('y3s-secret');
  });

  it('needs a url for simulator and webhook, and refuses one for none', () => {
    expect(opsProblems({ traffic: { provider: 'simulator' } })).toEqual([`${AT}.traffic.url: is required for provider simulator`]);
    expect(opsProblems({}, {}, { traffic: { provider: 'webhook' } })).toEqual([
      '<dir>/regions.yaml: defaults.traffic.url: is required for provider webhook',
    ]);
    expect(opsProblems({ traffic: { provider: 'none', url: 'http://lb' } })).toEqual([`${AT}.traffic.url: provider none takes no url`]);
    expect(opsProblems({ traffic: { provider: 'istio' } })).toEqual([
      `${AT}.traffic.provider: must be one of simulator, webhook, gateway-api, none`,
    ]);
    expect(opsProblems({ traffic: { url: 'http://lb' } })).toEqual([
      `${AT}.traffic.provider: must be one of simulator, webhook, gateway-api, none`,
    ]);
  });

  it.each([[0], [1], [1.5], [-0.1], ['half']])('refuses drainedFraction %j', (drainedFraction) => {
    expect(opsProblems({ traffic: { provider: 'simulator', url: 'http://sim', drainedFraction } })).toEqual([
      `${AT}.traffic.drainedFraction: must be a number between 0 and 1`,
    ]);
  });

  it('checks rateQuery variables and traffic durations', () => {
    expect(
      opsProblems({
        traffic: { provider: 'simulator', url: 'http://sim', rateQuery: 'rate(x{r="{{regoin}}"}[1m])', drainTimeout: '0s', window: 'long' },
      }),
    ).toEqual([
      `${AT}.traffic.rateQuery: unknown variable {{regoin}} (known: region, service, namespace, version, previousVersion, window)`,
      `${AT}.traffic.drainTimeout: must be a positive duration like 30s`,
      `${AT}.traffic.window: must be a positive duration like 30s`,
    ]);
  });

  it('reports unknown keys with hints, in regions and in defaults', () => {
    expect(
      opsProblems(
        { promethues: {} },
        {},
        { trafic: {}, kubernetes: { context: 'x' }, deploymentWindow: { freeze: [], allow: [{ hour: '09:00-10:00' }] } },
      ),
    ).toEqual([
      '<dir>/regions.yaml: defaults.deploymentWindow.allow[0].hour: unknown key "hour" (did you mean "hours"?)',
      '<dir>/regions.yaml: defaults.deploymentWindow.freeze: unknown key "freeze" (did you mean "freezes"?)',
      '<dir>/regions.yaml: defaults.trafic: unknown key "trafic" (did you mean "traffic"?)',
      '<dir>/regions.yaml: defaults.kubernetes: unknown key "kubernetes"',
      `${AT}.promethues: unknown key "promethues" (did you mean "prometheus"?)`,
    ]);
  });
});

describe('regions.yaml: deployment window errors', () => {
  const HOURS_HINT = 'must be a time range like "09:00-17:00" (24h, local time of the region)';
  const DAYS_HINT = 'must be a list of days like [mon, tue] or a range like "mon-fri"';
  const INSTANT_HINT = 'must be a date like 2026-12-24 (UTC midnight) or a time with an offset like 2026-12-24T18:00:00+01:00';
  const W = `${AT}.deploymentWindow`;

  it.each([
    ['9-17'],
    ['09:00-17'],
    ['9:00-17:00'],
    ['25:00-26:00'],
    ['24:00-06:00'],
    ['09:00-24:30'],
    ['09:60-10:00'],
    ['09:00 - 17:00'],
    [900],
  ])('refuses hours %j', (hours) => {
    expect(windowProblems({ allow: [{ days: 'mon', hours }] })).toEqual([`${W}.allow[0].hours: ${HOURS_HINT}`]);
  });

  it.each([['weekdays'], [[]], ['mon-tue-wed'], [['mon', 1]], ['mon-'], ['monday'], [5]])('refuses days %j', (days) => {
    expect(windowProblems({ allow: [{ days }] })).toEqual([`${W}.allow[0].days: ${DAYS_HINT}`]);
  });

  it.each([['2026-12-24T18:00:00'], ['next week'], ['2026-02-30'], ['2026-04-31T10:00:00Z'], ['2026-13-01'], ['24.12.2026'], [20261224]])(
    'refuses the freeze time %j',
    (from) => {
      expect(windowProblems({ freezes: [{ from, to: '2030-01-01', reason: 'x' }] })).toEqual([`${W}.freezes[0].from: ${INSTANT_HINT}`]);
    },
  );

  it('wants a freeze to end after it starts, and a reason', () => {
    expect(windowProblems({ freezes: [{ from: '2026-12-24', to: '2026-12-23T23:00:00Z', reason: 'x' }] })).toEqual([
      `${W}.freezes[0].to: must be after from`,
    ]);
    expect(windowProblems({ freezes: [{ from: '2026-12-24T01:00:00+01:00', to: '2026-12-24', reason: 'same instant' }] })).toEqual([
      `${W}.freezes[0].to: must be after from`,
    ]);
    expect(windowProblems({ freezes: [{ from: '2026-12-24', to: '2026-12-25' }] })).toEqual([`${W}.freezes[0].reason: is required`]);
  });

  it('wants lists of rules and freezes', () => {
    expect(windowProblems({ allow: { days: 'mon' }, freezes: '2026-12-24' })).toEqual([
      `${W}.allow: must be a list of { days, hours } rules`,
      `${W}.freezes: must be a list of { from, to, reason } freezes`,
    ]);
  });
});
