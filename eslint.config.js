// ESLint (flat config): typescript-eslint's recommended rules plus the layering rules of the libs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noDeepRelative = { group: ['../../../*'], message: 'Import another lib through its #alias (package.json "imports").' };

/**
 * Dependencies point one way: domain ← config ← persistence ← application ← integrations ← runtime ← apps.
 * `packages: false` means the lib imports no npm package and no Node built-in either.
 */
const LAYERS = [
  { lib: 'domain', may: [], packages: false },
  { lib: 'config', may: ['domain'], packages: true },
  { lib: 'persistence', may: ['domain', 'migrations'], packages: true },
  { lib: 'application', may: ['domain', 'config', 'persistence'], packages: false },
  { lib: 'integrations', may: ['domain', 'config', 'application'], packages: true },
  { lib: 'runtime', may: ['domain', 'config', 'persistence', 'application', 'integrations'], packages: true },
];

function layerRule({ lib, may, packages }) {
  const allowed = may.map((m) => `#${m}(/|$)`).join('|');
  const aliases = allowed ? `(?!${allowed})#` : '#';
  const patterns = [
    noDeepRelative,
    { regex: `^${aliases}`, message: `libs/${lib} may import only ${may.map((m) => `#${m}`).join(', ') || 'its own files'}.` },
  ];
  if (!packages) patterns.push({ regex: '^(?![.#])', message: `libs/${lib} imports no package: outside systems come in through ports.` });
  return { files: [`libs/${lib}/src/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**', '.tideline/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // TypeScript checks names; ANSI escapes in terminal tests are deliberate
      'no-undef': 'off',
      'no-control-regex': 'off',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-restricted-imports': ['error', { patterns: [noDeepRelative] }],
    },
  },
  ...LAYERS.map(layerRule),
  {
    // renders a proposed plan as YAML with comments (a formatting concern; to move behind a port)
    files: ['libs/application/src/learning/propose-plan.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepRelative] }] },
  },
);
