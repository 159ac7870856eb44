/** The advisory locks use cases and the engine share: one name per thing, so both sides take the same lock. */

/** How long an action or a step waits for a lock another process holds. */
export const LOCK_WAIT_MS = 20_000;

/** A release: one engine step or operator action at a time, across every worker and API process. */
export const releaseLock = (releaseId: string): string => `release:${releaseId}`;

/** A region's traffic: one region operation step or request at a time. */
export const regionLock = (region: string): string => `region:${region}`;
