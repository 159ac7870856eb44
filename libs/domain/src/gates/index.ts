export * from './types.js';
export * from './prom-response.js';
export * from './template.js';
export * from './format.js';
export * from './judge.js';
export * from './status.js';
export * from './window.js';
export * from './coverage.js';
