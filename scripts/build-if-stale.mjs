// Builds (npm run build) only when a source is newer than the last build's output, so
// `npm run demo` starts at once when nothing changed. Sources: the TypeScript trees tsc
// compiles, the tsconfig files and the lock file. Output: dist/ (tsc rewrites every file).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_DIRS = ['apps', 'libs', 'migrations', 'scripts', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** Newest mtime (ms) of the files under `dir` whose name passes `keep`; 0 when none. */
function newest(dir, keep) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(path, keep));
    else if (keep(entry.name)) max = Math.max(max, statSync(path).mtimeMs);
  }
  return max;
}

/** Why a build is needed in `root`, or null when dist/ is newer than every source. */
export function staleReason(root) {
  const built = newest(join(root, 'dist'), (n) => n.endsWith('.js'));
  if (built === 0) return 'no build yet';
  const ts = (n) => n.endsWith('.ts') && !n.endsWith('.d.ts');
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => newest(join(root, d), ts)),
    ...SOURCE_FILES.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  return sources > built ? 'sources changed since the last build' : null;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.cwd();
  const reason = staleReason(root);
  if (reason) {
    console.log(`building (${reason})…`);
    execSync('npm run build', { stdio: 'inherit', cwd: root });
  } else {
    console.log('build is up to date (dist/ is newer than every source)');
  }
}
