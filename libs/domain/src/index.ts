export * from './states.js';
export * from './image-ref.js';
export * from './plan.js';
export * from './rollout.js';
export * from './progress.js';
export * from './recorded.js';
export * from './gates/index.js';
export * from './notifications.js';
