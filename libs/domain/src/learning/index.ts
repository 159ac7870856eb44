export * from './time-to-smoke.js';
export * from './auto-bake.js';
export * from './wave-planner.js';
