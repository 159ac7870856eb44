/** Writes a config/ directory for a test (JSON is valid YAML). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuth } from './auth.js';

export interface FixtureWave {
  name: string;
  regions: string[];
  maxParallel?: number;
  bake?: string;
  approval?: 'none' | 'required';
  onFailure?: 'rollback' | 'rollback-region' | 'drain' | 'pause';
}

export interface FixtureOptions {
  simulatorUrl: string;
  canary: string;
  waves: FixtureWave[];
  bake?: string;
  progressDeadline?: string;
  pollInterval?: string;
  services?: string[];
  /** services whose onConcurrent is supersede */
  supersede?: string[];
  /** written as notifications.yaml when given */
  notifications?: Record<string, unknown>;
}

export function writeConfig(o: FixtureOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-config-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  const regions = [o.canary, ...o.waves.flatMap((w) => w.regions)];
  writeFileSync(
    join(dir, 'tideline.yaml'),
    JSON.stringify({ engine: { pollInterval: o.pollInterval ?? '100ms', sweepInterval: '2s', workerConcurrency: 8 }, auth: testAuth() }),
  );
  writeFileSync(
    join(dir, 'regions.yaml'),
    JSON.stringify({
      regions: regions.map((name) => ({ name, kubernetes: { server: `${o.simulatorUrl}/regions/${name}`, skipTLSVerify: true } })),
    }),
  );
  for (const service of o.services ?? ['checkout']) {
    writeFileSync(
      join(dir, 'services', `${service}.yaml`),
      JSON.stringify({
        name: service,
        plan: 'standard',
        onConcurrent: o.supersede?.includes(service) ? 'supersede' : 'queue',
        workloads: [{ namespace: 'shop', deployment: service, container: service }],
      }),
    );
  }
  writeFileSync(
    join(dir, 'plans', 'standard.yaml'),
    JSON.stringify({
      name: 'standard',
      defaults: { bake: o.bake ?? '300ms', progressDeadline: o.progressDeadline ?? '3s' },
      canary: { region: o.canary },
      waves: o.waves,
    }),
  );
  if (o.notifications) writeFileSync(join(dir, 'notifications.yaml'), JSON.stringify(o.notifications));
  return dir;
}
