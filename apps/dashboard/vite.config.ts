/** Vite build of the dashboard into dist/dashboard (served by the API); oxc transforms the TSX. */
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  publicDir: `${root}/public`,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: `${root}/../../dist/dashboard`,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // no inline assets: the CSP allows scripts and styles from this origin only
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
