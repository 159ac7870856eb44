/** Where and how the CLI writes: text or JSON, colour only on a terminal without NO_COLOR, tables for people. */
import { styleText } from 'node:util';
import type { Paint, Tone } from './render-tree.js';

export type Format = 'text' | 'json';

export interface Streams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const TONES: Record<Tone, Parameters<typeof styleText>[0] | null> = {
  ok: 'green',
  bad: 'red',
  warn: 'yellow',
  busy: 'cyan',
  dim: 'gray',
  plain: null,
};

export class Output {
  constructor(
    readonly format: Format,
    private readonly streams: Streams,
  ) {}

  /** stdout is a terminal (live redraw allowed) */
  get tty(): boolean {
    return this.streams.stdout.isTTY === true;
  }

  /** Colours on a terminal unless NO_COLOR is set (https://no-color.org). */
  get paint(): Paint {
    const env = this.streams.env;
    const color = this.tty && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
    return color ? (tone, text) => (TONES[tone] ? styleText(TONES[tone]!, text) : text) : (_tone, text) => text;
  }

  get stdout(): NodeJS.WriteStream {
    return this.streams.stdout;
  }

  /** A line for people: stdout in text mode, stderr in JSON mode (stdout stays machine-readable). */
  info(line: string): void {
    (this.format === 'json' ? this.streams.stderr : this.streams.stdout).write(`${line}\n`);
  }

  error(line: string): void {
    this.streams.stderr.write(`${line}\n`);
  }

  /** One JSON document on one line of stdout. */
  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** The value as JSON in JSON mode, else the text `render` makes of it. */
  result(value: unknown, render: () => string[]): void {
    if (this.format === 'json') this.json(value);
    else for (const line of render()) this.streams.stdout.write(`${line}\n`);
  }
}

/** A plain text table: a header row and left-aligned columns separated by two spaces. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string[] {
  const cells = rows.map((row) => row.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)];
}
