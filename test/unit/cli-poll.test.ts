/** The CLI's shared wait loop: stops when told, retries a lost connection, ends at --timeout, and Ctrl-C (even twice) cancels the call in flight. */
import { describe, expect, it } from 'vitest';
import { CliError } from '../../apps/cli/src/client.js';
import { EXIT } from '../../apps/cli/src/exit-codes.js';
import { pollUntil } from '../../apps/cli/src/poll.js';

describe('pollUntil', () => {
  it('hands every answer with the previous one to done, and stops when done says so', async () => {
    let n = 0;
    const seen: Array<[number, number | null]> = [];
    const res = await pollUntil(
      async () => ++n,
      (v, prev) => {
        seen.push([v, prev]);
        return v === 3;
      },
      { timeoutMs: null, pollMs: 1, note: () => {} },
    );
    expect(res).toEqual({ end: 'done', last: 3 });
    expect(seen).toEqual([
      [1, null],
      [2, 1],
      [3, 2],
    ]);
  });

  it('a lost connection is retried and said once, its return too; any other error ends the wait', async () => {
    let n = 0;
    const notes: string[] = [];
    const res = await pollUntil(
      async () => {
        n += 1;
        if (n <= 2) throw new CliError('the Tideline API at x is unreachable (ECONNREFUSED)', EXIT.unreachable, [], null, true);
        return n;
      },
      () => true,
      { timeoutMs: null, pollMs: 1, note: (t) => notes.push(t) },
    );
    expect(res).toEqual({ end: 'done', last: 3 });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^connection lost \(the Tideline API at x is unreachable \(ECONNREFUSED\)\); retrying/);
    expect(notes[1]).toMatch(/^connection back after \d+s$/);
    const refused = new CliError('404 no such drill', EXIT.usage, [], 404);
    await expect(
      pollUntil(
        async () => Promise.reject(refused),
        () => true,
        { timeoutMs: null, pollMs: 1, note: () => {} },
      ),
    ).rejects.toBe(refused);
  });

  it('ends at the timeout with the last answer', async () => {
    const res = await pollUntil(
      async () => 'running',
      () => false,
      { timeoutMs: 300, pollMs: 20, note: () => {} },
    );
    expect(res).toEqual({ end: 'timeout', last: 'running' });
  });

  it('Ctrl-C, once or twice, cancels the call in flight and ends the wait (the process is not killed)', async () => {
    const listeners = process.listenerCount('SIGINT');
    let calls = 0;
    const pending = pollUntil(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          calls += 1;
          if (calls === 1) return resolve('running');
          signal.addEventListener('abort', () => reject(new Error('canceled')));
          setTimeout(() => {
            process.emit('SIGINT');
            process.emit('SIGINT');
          }, 20);
        }),
      () => false,
      { timeoutMs: null, pollMs: 1, note: () => {} },
    );
    expect(await pending).toEqual({ end: 'interrupted', last: 'running' });
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
