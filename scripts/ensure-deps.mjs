// Installs the locked dependencies when node_modules is missing or older than package-lock.json,
// so `npm run demo` and `npm test` work on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.log('installing dependencies (npm ci, from package-lock.json)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
