/** Group commit (libs/persistence/src/group-commit.ts): who goes with whom, in which order, and what a failed batch does. */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../libs/persistence/src/group-commit.js';

interface Item {
  id: string;
  key: string;
}

/** A group commit whose batches wait until released by hand, recording each batch. */
function harness(slots: number, maxBatch = 10, fail: (items: readonly Item[]) => boolean = () => false) {
  const batches: string[][] = [];
  const alone: string[] = [];
  const gates: Array<() => void> = [];
  const gc = new GroupCommit<Item, string>({
    slots,
    maxBatch,
    keys: (i) => [i.key],
    many: async (items) => {
      batches.push(items.map((i) => i.id));
      await new Promise<void>((r) => gates.push(r));
      if (fail(items)) throw new Error('batch failed');
      return items.map((i) => `ok:${i.id}`);
    },
    one: async (i) => {
      alone.push(i.id);
      if (i.id.startsWith('bad')) throw new Error(`${i.id} fails alone`);
      return `alone:${i.id}`;
    },
  });
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()!();
      await tick();
    }
  };
  return { gc, batches, alone, releaseAll, tick };
}

describe('group commit', () => {
  it('writes submitted in one turn go together; writes sharing a key go one after the other, in arrival order', async () => {
    const h = harness(2);
    const all = ['a1:a', 'b1:b', 'a2:a', 'c1:c', 'a3:a'].map((s) => {
      const [id, key] = s.split(':') as [string, string];
      return h.gc.submit({ id, key });
    });
    await h.tick();
    // a2 and a3 share a1's key: never beside it, never in a second slot while it is in flight
    expect(h.batches).toEqual([['a1', 'b1', 'c1']]);
    await h.releaseAll();
    expect(await Promise.all(all)).toEqual(['ok:a1', 'ok:b1', 'ok:a2', 'ok:c1', 'ok:a3']);
    expect(h.batches).toEqual([['a1', 'b1', 'c1'], ['a2'], ['a3']]);
  });

  it('writes arriving while slots are busy wait and then go together, at most maxBatch at a time', async () => {
    const h = harness(1, 3);
    const first = h.gc.submit({ id: 'x', key: 'x' });
    await h.tick();
    const later = ['p', 'q', 'r', 's', 't'].map((id) => h.gc.submit({ id, key: id }));
    await h.tick();
    expect(h.gc.queued).toBe(5);
    await h.releaseAll();
    await Promise.all([first, ...later]);
    expect(h.batches).toEqual([['x'], ['p', 'q', 'r'], ['s', 't']]);
  });

  it('a failed batch wrote nothing: each of its writes goes alone, and only one that fails alone fails', async () => {
    const h = harness(1, 10, (items) => items.length > 1);
    const out = Promise.allSettled([h.gc.submit({ id: 'good', key: 'g' }), h.gc.submit({ id: 'bad', key: 'b' })]);
    await h.tick();
    await h.releaseAll();
    const [good, bad] = await out;
    expect(good).toEqual({ status: 'fulfilled', value: 'alone:good' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bad fails alone' } });
    expect(h.alone).toEqual(['good', 'bad']);
  });

  it('refuses no slots or empty batches', () => {
    expect(() => harness(0)).toThrow(/at least 1/);
  });
});
