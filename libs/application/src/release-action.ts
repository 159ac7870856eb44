/**
 * The shape of every operator action on a release (PRODUCT.md "Release lifecycle"): take the
 * release's advisory lock (so an action never interleaves with an engine step or another
 * action), read, decide, write one row-version-guarded step with an event naming the actor
 * and the reason, then ask the engine for a step at once. Whichever of two racing actions
 * runs second sees what the first one did.
 */
import { isTouched, type ReleaseState } from '#domain';
import { ConcurrentModificationError, type Db, type ReleaseRecord, type ReleaseStore, type TargetRecord } from '#persistence';
import type { StepChange } from './engine/step-change.js';
import { ConflictError, NotFoundError } from './errors.js';
import { LOCK_WAIT_MS, releaseLock } from './locks.js';
import type { Clock, TickScheduler } from './ports.js';

export interface ActionInput {
  id: string;
  actor: string;
  reason?: string | undefined;
}

export interface ActionResult {
  release: ReleaseRecord;
  /** what happened, for the answer */
  message: string;
}

export type ActionName = 'pause' | 'resume' | 'approve' | 'promote' | 'rollback' | 'cancel' | 'retry';

/** A release row changed outside its lock (queue promotion, supersede): read again and decide again. */
const ATTEMPTS = 3;

/** 409 naming the action, the state that refuses it and what would be accepted. */
export function refuse(action: ActionName, release: ReleaseRecord, why: string): ConflictError {
  return new ConflictError(`cannot ${action} release ${release.id}: it is ${release.state}; ${why}`, release.state);
}

export function requireState(action: ActionName, release: ReleaseRecord, allowed: readonly ReleaseState[], hint = ''): void {
  if (allowed.includes(release.state)) return;
  throw refuse(action, release, `${action} needs ${allowed.join(' or ')}${hint ? ` (${hint})` : ''}`);
}

/** Regions the release has changed in their clusters. */
export function touchedRegions(targets: readonly TargetRecord[]): string[] {
  return targets.filter((t) => isTouched(t.state)).map((t) => t.region);
}

export type ActDecision = { change: StepChange; message: string };

export abstract class ReleaseAction {
  constructor(
    protected readonly db: Db,
    protected readonly store: ReleaseStore,
    protected readonly ticks: TickScheduler,
    protected readonly clock: Clock,
  ) {}

  protected run(
    input: ActionInput,
    act: (release: ReleaseRecord, targets: TargetRecord[], nowMs: number) => ActDecision,
  ): Promise<ActionResult> {
    return this.db.withLock(releaseLock(input.id), LOCK_WAIT_MS, async () => {
      for (let attempt = 1; ; attempt++) {
        const loaded = await this.store.getWithTargets(input.id); // one round trip
        if (!loaded) throw new NotFoundError('release', input.id);
        const { release, targets } = loaded;
        const nowMs = this.clock.now().getTime();
        const { change, message } = act(release, targets, nowMs);
        let seq: number;
        try {
          // The action and the engine's next step (at once) commit together; the engine re-reads the release under the same lock.
          seq = (await this.store.applyStep(release, { ...change, tickAt: new Date(nowMs) }))!;
        } catch (err) {
          if (err instanceof ConcurrentModificationError && attempt < ATTEMPTS) continue;
          throw err;
        }
        await this.ticks.enqueueTick(release.id, seq, 0).catch(() => undefined); // the sweeper re-enqueues if Redis is away
        return { release: (await this.store.get(release.id))!, message };
      }
    });
  }
}
