import { describe, expect, it, vi } from 'vitest';
import {
  JOB_NAMES,
  JOB_QUEUE,
  JobCatalogueError,
  JobHandlerRegistry,
  QUEUES,
  deliverJobId,
  regionOperationJobId,
  drillJobId,
  tickJobId,
  type Job,
  type JobHandlers,
  type JobName,
  type JobPayloads,
} from '../../libs/application/src/jobs.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(JobCatalogueError);
    return err as Error;
  }
  throw new Error('expected a JobCatalogueError');
}

const tickHandler = () => vi.fn(async (data: JobPayloads['release.tick']) => `ticked ${data.releaseId}/${data.seq}`);
const sweepHandler = () => vi.fn(async (data: JobPayloads['release.sweep']) => `swept (${data.reason})`);

describe('job catalogue', () => {
  it('names every job exactly once: releases and region operations on the releases queue, notifications on their own', () => {
    expect([...JOB_NAMES].sort()).toEqual([
      'drill.step',
      'notification.deliver',
      'notifications.dispatch',
      'region.operation',
      'release.sweep',
      'release.tick',
    ]);
    expect(new Set(JOB_NAMES).size).toBe(JOB_NAMES.length);
    for (const name of JOB_NAMES) expect(JOB_QUEUE[name]).toBe(name.startsWith('notification') ? QUEUES.notifications : QUEUES.releases);
    expect(QUEUES.notifications).not.toBe(QUEUES.releases);
  });
});

/** The notification jobs' (and drills') handlers, for tests about the release jobs. */
const withNotifications = (r: JobHandlerRegistry) =>
  r
    .register('notifications.dispatch', async () => 'dispatched')
    .register('notification.deliver', async (d) => `delivered ${d.deliveryId}`)
    .register('drill.step', async (d) => `drill ${d.drillId}`);

describe('JobHandlerRegistry', () => {
  it('seal() with no handler names every missing job', () => {
    const err = thrown(() => new JobHandlerRegistry().seal());
    for (const name of JOB_NAMES) expect(err.message).toContain(name);
  });

  it('seal() names the one missing job and not the registered one', () => {
    const err = thrown(() => new JobHandlerRegistry().register('release.tick', tickHandler()).seal());
    expect(err.message).toContain('release.sweep');
    expect(err.message).not.toContain('release.tick');

    const err2 = thrown(() => new JobHandlerRegistry().register('release.sweep', sweepHandler()).seal());
    expect(err2.message).toContain('release.tick');
    expect(err2.message).not.toContain('release.sweep');
  });

  it('refuses a second handler for the same job, naming it', () => {
    const registry = new JobHandlerRegistry().register('release.tick', tickHandler());
    const err = thrown(() => registry.register('release.tick', tickHandler()));
    expect(err.message).toContain('release.tick');
    expect(err.message).toContain('two handlers');
  });

  it('refuses a handler for a job that is not in the catalogue', () => {
    const err = thrown(() => new JobHandlerRegistry().register('release.explode' as JobName, async () => undefined));
    expect(err.message).toContain('release.explode');
    expect(err.message).toContain('not in the catalogue');
  });

  it('register() is chainable', () => {
    const registry = new JobHandlerRegistry();
    expect(registry.register('release.tick', tickHandler())).toBe(registry);
  });

  it('the sealed dispatcher calls the right handler with the payload and returns its result', async () => {
    const tick = tickHandler();
    const sweep = sweepHandler();
    const dispatch = withNotifications(
      new JobHandlerRegistry()
        .register('release.tick', tick)
        .register('release.sweep', sweep)
        .register('region.operation', async () => 'op'),
    ).seal();

    await expect(dispatch({ name: 'release.tick', data: { releaseId: 'rel-1', seq: 7 } })).resolves.toBe('ticked rel-1/7');
    expect(tick).toHaveBeenCalledTimes(1);
    expect(tick).toHaveBeenCalledWith({ releaseId: 'rel-1', seq: 7 });
    expect(sweep).not.toHaveBeenCalled();

    await expect(dispatch({ name: 'release.sweep', data: { reason: 'startup' } })).resolves.toBe('swept (startup)');
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(sweep).toHaveBeenCalledWith({ reason: 'startup' });
    expect(tick).toHaveBeenCalledTimes(1);
  });

  it('of() dispatches a complete JobHandlers table (a table missing a job does not compile)', async () => {
    const tick = tickHandler();
    const handlers: JobHandlers = {
      'release.tick': tick,
      'release.sweep': sweepHandler(),
      'region.operation': async (d) => `op ${d.operationId}`,
      'drill.step': async (d) => `drill ${d.drillId}`,
      'notifications.dispatch': async () => 'dispatched',
      'notification.deliver': async (d) => `delivered ${d.deliveryId}`,
    };
    const dispatch = JobHandlerRegistry.of(handlers);
    await expect(dispatch({ name: 'release.tick', data: { releaseId: 'rel-1', seq: 7 } })).resolves.toBe('ticked rel-1/7');
    await expect(dispatch({ name: 'notification.deliver', data: { deliveryId: 'd1' } })).resolves.toBe('delivered d1');
    expect(tick).toHaveBeenCalledTimes(1);
    // @ts-expect-error -- every catalogued job needs a handler
    const partial: JobHandlers = { 'release.tick': tick };
    expect(thrown(() => JobHandlerRegistry.of(partial)).message).toContain('release.sweep');
  });

  it('the dispatcher passes a handler failure through', async () => {
    const dispatch = withNotifications(
      new JobHandlerRegistry()
        .register('release.tick', async () => {
          throw new Error('boom');
        })
        .register('release.sweep', sweepHandler())
        .register('region.operation', async () => undefined),
    ).seal();
    await expect(dispatch({ name: 'release.tick', data: { releaseId: 'r', seq: 1 } })).rejects.toThrow('boom');
  });

  it('the dispatcher refuses a job name it does not know', async () => {
    const dispatch = withNotifications(
      new JobHandlerRegistry()
        .register('release.tick', tickHandler())
        .register('release.sweep', sweepHandler())
        .register('region.operation', async () => undefined),
    ).seal();
    const unknown = { name: 'release.unknown', data: {} } as unknown as Job;
    // whether it throws synchronously or rejects, the caller sees a JobCatalogueError naming the job
    const outcome = Promise.resolve().then(() => dispatch(unknown));
    await expect(outcome).rejects.toBeInstanceOf(JobCatalogueError);
    await expect(Promise.resolve().then(() => dispatch(unknown))).rejects.toThrow('release.unknown');
  });
});

describe('drillJobId', () => {
  it('is deterministic per (drill, seq) and has no ":"', () => {
    const id = '7f1c7e2a-5d7b-4a53-9a51-0d5b1c0c9f10';
    expect(drillJobId(id, 3)).toBe(drillJobId(id, 3));
    expect(drillJobId(id, 3)).not.toBe(drillJobId(id, 4));
    expect(drillJobId(id, 3)).not.toContain(':');
  });
});

describe('regionOperationJobId', () => {
  it('contains no ":" and is distinct per operation and seq', () => {
    const op = '5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31';
    expect(regionOperationJobId(op, 1)).not.toContain(':');
    expect(regionOperationJobId(op, 1)).toBe(regionOperationJobId(op, 1));
    expect(regionOperationJobId(op, 1)).not.toBe(regionOperationJobId(op, 2));
    expect(regionOperationJobId(op, 1)).not.toBe(tickJobId(op, 1));
  });
});

describe('tickJobId', () => {
  it('contains no ":" (BullMQ custom ids must not)', () => {
    const id = tickJobId('5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31', 12);
    expect(id).not.toContain(':');
  });

  it('is deterministic and distinct per release and seq', () => {
    const rel = '5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31';
    expect(tickJobId(rel, 3)).toBe(tickJobId(rel, 3));
    expect(tickJobId(rel, 3)).not.toBe(tickJobId(rel, 4));
    expect(tickJobId(rel, 3)).not.toBe(tickJobId('0b1d2c3e-0000-4000-8000-000000000001', 3));
    expect(tickJobId(rel, 3)).toContain(rel);
    expect(tickJobId(rel, 3)).toContain('3');
  });
});

describe('notification jobs', () => {
  it('a registry with only the release handlers refuses to seal, naming the notification jobs', () => {
    const err = thrown(() =>
      new JobHandlerRegistry().register('release.tick', tickHandler()).register('release.sweep', sweepHandler()).seal(),
    );
    expect(err.message).toContain('notifications.dispatch');
    expect(err.message).toContain('notification.deliver');
  });

  it('delivery job ids are deterministic per delivery and tag, without ":"', () => {
    const id = '0b1d2c3e-0000-4000-8000-000000000001';
    expect(deliverJobId(id, '2')).toBe(deliverJobId(id, '2'));
    expect(deliverJobId(id, '2')).not.toBe(deliverJobId(id, '3'));
    expect(deliverJobId(id, '2')).not.toContain(':');
  });
});
