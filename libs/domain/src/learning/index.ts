/** Learning from history (issue 12): time-to-smoke, bake: auto, the wave planner. */
export * from './time-to-smoke.js';
export * from './auto-bake.js';
export * from './wave-planner.js';
