/** Rounds of release-throughput: each a complete, independent run with its own cleanup; the headline is the median round. */
import type { BenchReport, RoundOrder, RoundReport } from './report.js';
import { roundFigures } from './report.js';
import { Cleanup } from './support.js';

/**
 * Run rounds 1…count one after another. Each round gets its own Cleanup, run when the round
 * ends (also when it fails); `outer` holds it too, so a SIGINT mid-round cleans up the round.
 * Runs of a round's Cleanup are chained: a second caller waits for the first to finish.
 */
export async function runRounds<T>(count: number, outer: Cleanup, round: (n: number, cleanup: Cleanup) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let n = 1; n <= count; n++) {
    const own = new Cleanup();
    let cleaning: Promise<void> = Promise.resolve();
    const clean = () => (cleaning = cleaning.then(() => own.run()));
    outer.add(`clean up round ${n}`, clean);
    try {
      out.push(await round(n, own));
    } finally {
      await clean();
    }
  }
  return out;
}

/** Odd rounds: honest floor, then engine; even rounds the other way round (the floor runs first in every round). */
export const roundOrder = (round: number): RoundOrder => (round % 2 === 1 ? 'honest floor, engine' : 'engine, honest floor');

/** Run the honest floor and the engine side in `order`. */
export async function inOrder<H, E>(order: RoundOrder, honest: () => Promise<H>, engine: () => Promise<E>): Promise<[H, E]> {
  if (order === 'honest floor, engine') {
    const h = await honest();
    return [h, await engine()];
  }
  const e = await engine();
  return [await honest(), e];
}

/** Index of the median of `values` once sorted (the lower middle for an even count), in the original order. */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  return order[Math.floor((order.length - 1) / 2)]!.i;
}

/** The round whose engine / honest floor ratio is the median, with every round's figures. */
export function headlineReport(rounds: readonly RoundReport[]): BenchReport {
  if (rounds.length === 0) throw new Error('no rounds');
  const median = rounds[medianIndex(rounds.map((r) => r.honestRatio))]!;
  return { ...median, rounds: rounds.map(roundFigures) };
}
