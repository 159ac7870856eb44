/**
 * The Dockerfile (no Docker engine here): multi-stage, `npm ci` from the lock file, a non-root
 * user, and a runtime stage holding only what runs — checked by rebuilding that stage's file
 * tree from dist/ and loading every entry point's modules from it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = dockerfile
  .split(/^FROM /m)
  .slice(1)
  .map((s) => ({ name: /AS (\S+)/.exec(s.split('\n')[0]!)?.[1] ?? '', body: s }));

describe('Dockerfile', () => {
  it('is multi-stage, installs with npm ci only, and runs as a non-root user', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(dockerfile).not.toMatch(/npm install/);
    expect(stages[0]!.body).toMatch(/RUN npm ci /);
    expect(stages[1]!.body).toMatch(/RUN npm ci --omit=dev /);
    const runtime = stages[2]!.body;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/RUN /); // nothing is built or installed in the final stage
    expect(runtime).not.toMatch(/COPY (apps|libs|scripts|bench|test|tsconfig)/); // no sources
  });

  it("the runtime stage's files load every entry point (nothing from scripts/, bench/ or sources needed)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tideline-image-'));
    for (const line of stages[2]!.body.split('\n')) {
      const m = /^COPY (?:--from=(\w+) )?(\S+) (\S+)$/.exec(line.trim());
      if (!m) continue;
      const [, from, src, to] = m;
      const dest = to === './' ? src!.split('/').pop()! : to!; // WORKDIR /app: "./" keeps the name
      if (from === 'deps') {
        symlinkSync(join(ROOT, 'node_modules'), join(dir, dest)); // stands in for the production install
        continue;
      }
      const source = from === 'build' ? join(ROOT, src!.replace(/^\/app\//, '')) : join(ROOT, src!);
      cpSync(source, join(dir, dest), { recursive: true });
    }
    const entries = [
      'dist/apps/api/src/http-app.js',
      'dist/apps/worker/src/worker-app.js',
      'dist/apps/simulator/src/server.js',
      'dist/migrations/index.js',
      'dist/libs/runtime/src/index.js',
    ];
    const script = `await Promise.all(${JSON.stringify(entries)}.map((e) => import('./' + e))); console.log('loaded');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe('loaded');
    // the API serves the dashboard from dist/dashboard: the page and its hashed assets are in the image
    expect(existsSync(join(dir, 'dist/dashboard/index.html')), 'dist/dashboard/index.html in the image').toBe(true);
    expect(readdirSync(join(dir, 'dist/dashboard/assets')).some((f) => f.endsWith('.js'))).toBe(true);
  });
});
