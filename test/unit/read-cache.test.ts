import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import { invalidateOnWrite, ReadCache, wantsFresh } from '../../apps/api/src/read-cache.js';

/** A read whose answer the test hands out when it likes. */
function pending() {
  let answer!: (text: string) => void;
  let fail!: (err: Error) => void;
  const text = new Promise<string>((res, rej) => {
    answer = res;
    fail = rej;
  });
  return { text, answer, fail };
}

describe('ReadCache', () => {
  it('keeps an answer for ttl from when its read began, then reads again', async () => {
    let now = 1_000;
    const cache = new ReadCache(250, 10, () => now);
    let reads = 0;
    const read = async () => `v${++reads}`;
    expect(await cache.through('k', read)).toBe('v1');
    now += 249;
    expect(await cache.through('k', read)).toBe('v1');
    now += 1;
    expect(await cache.through('k', read)).toBe('v2');
    expect(reads).toBe(2);
  });

  it('counts the ttl from the start of a slow read, not its end', async () => {
    let now = 0;
    const cache = new ReadCache(250, 10, () => now);
    const slow = pending();
    const first = cache.through('k', () => slow.text);
    now = 200; // the read took 200 ms: its snapshot may be that old already
    slow.answer('old');
    expect(await first).toBe('old');
    now = 251;
    expect(await cache.through('k', async () => 'new')).toBe('new');
  });

  it('a write drops every answer at once', async () => {
    const now = 0;
    const cache = new ReadCache(10_000, 10, () => now);
    await cache.through('a', async () => 'a1');
    await cache.through('b', async () => 'b1');
    cache.invalidate();
    expect(cache.size).toBe(0);
    expect(await cache.through('a', async () => 'a2')).toBe('a2');
  });

  it('does not keep an answer read while a write went through', async () => {
    const cache = new ReadCache(10_000, 10, () => 0);
    const before = pending();
    const racing = cache.through('k', () => before.text);
    cache.invalidate(); // the write committed while the read ran: its answer may predate it
    before.answer('pre-write');
    expect(await racing).toBe('pre-write'); // that caller asked before the write answered
    expect(await cache.through('k', async () => 'post-write')).toBe('post-write');
    expect(await cache.through('k', async () => 'later')).toBe('post-write');
  });

  it('shares one read among concurrent misses, but not across a write', async () => {
    const cache = new ReadCache(10_000, 10, () => 0);
    const one = pending();
    let reads = 0;
    const a = cache.through('k', () => (reads++, one.text));
    const b = cache.through('k', () => (reads++, Promise.resolve('never')));
    expect(reads).toBe(1);
    cache.invalidate();
    const c = cache.through('k', async () => (reads++, 'after'));
    one.answer('before');
    expect(await a).toBe('before');
    expect(await b).toBe('before');
    expect(await c).toBe('after');
    expect(reads).toBe(2);
  });

  it('keeps no error and lets the next caller read again', async () => {
    const cache = new ReadCache(10_000, 10, () => 0);
    await expect(cache.through('k', async () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect(await cache.through('k', async () => 'found')).toBe('found');
  });

  it('a fresh read (Cache-Control: no-cache) always reads, and keeps its answer for the others', async () => {
    const cache = new ReadCache(10_000, 10, () => 0);
    await cache.through('k', async () => 'old');
    expect(await cache.through('k', async () => 'new', true)).toBe('new');
    expect(await cache.through('k', async () => 'never')).toBe('new');
  });

  it('knows which Cache-Control values ask for a fresh answer', () => {
    for (const v of ['no-cache', 'No-Cache', 'no-store', 'max-age=0', 'max-age = 0', 'private, no-cache'])
      expect(wantsFresh(v), v).toBe(true);
    for (const v of [undefined, '', 'max-age=10', 'max-age=01', 'no-transform', 'x-no-cache', ['no-cache']])
      expect(wantsFresh(v), String(v)).toBe(false);
  });

  it('is off at ttl 0: every call reads', async () => {
    const cache = new ReadCache(0, 10, () => 0);
    let reads = 0;
    await cache.through('k', async () => `v${++reads}`);
    expect(await cache.through('k', async () => `v${++reads}`)).toBe('v2');
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries answers, dropping the oldest', async () => {
    const cache = new ReadCache(10_000, 2, () => 0);
    for (const k of ['a', 'b', 'c']) await cache.through(k, async () => k);
    expect(cache.size).toBe(2);
    expect(await cache.through('a', async () => 'a again')).toBe('a again');
    expect(await cache.through('c', async () => 'c again')).toBe('c');
  });
});

describe('invalidateOnWrite', () => {
  const run = (method: string) => {
    const cache = new ReadCache(10_000, 10, () => 0);
    const res = new EventEmitter();
    let nexts = 0;
    invalidateOnWrite(cache)({ method } as Request, res as unknown as Response, (() => nexts++) as NextFunction);
    return { cache, res, nexts: () => nexts };
  };

  it('drops the cache once a write has answered', async () => {
    const { cache, res, nexts } = run('POST');
    await cache.through('k', async () => 'v');
    expect(cache.size).toBe(1);
    res.emit('finish');
    res.emit('close');
    expect(cache.size).toBe(0);
    expect(nexts()).toBe(1);
  });

  it('leaves the cache alone for reads', async () => {
    const { cache, res } = run('GET');
    await cache.through('k', async () => 'v');
    res.emit('finish');
    expect(cache.size).toBe(1);
  });
});
