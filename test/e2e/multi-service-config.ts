/** A config/ directory with one plan per service, every region on the simulator (JSON is YAML). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuth } from '../support/auth.js';

export function writeServicesConfig(
  simulatorUrl: string,
  regions: string[],
  plans: Record<string, Record<string, unknown>>,
  tideline: Record<string, unknown> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-ops-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'plans'));
  writeFileSync(
    join(dir, 'tideline.yaml'),
    JSON.stringify({ engine: { pollInterval: '100ms', sweepInterval: '2s', workerConcurrency: 8 }, auth: testAuth(), ...tideline }),
  );
  writeFileSync(
    join(dir, 'regions.yaml'),
    JSON.stringify({
      regions: regions.map((name) => ({ name, kubernetes: { server: `${simulatorUrl}/regions/${name}`, skipTLSVerify: true } })),
    }),
  );
  for (const [service, plan] of Object.entries(plans)) {
    writeFileSync(
      join(dir, 'services', `${service}.yaml`),
      JSON.stringify({ name: service, plan: service, workloads: [{ namespace: 'shop', deployment: service, container: service }] }),
    );
    writeFileSync(join(dir, 'plans', `${service}.yaml`), JSON.stringify({ name: service, ...plan }));
  }
  return dir;
}
