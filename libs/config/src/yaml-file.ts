import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { PathSegment } from './errors.js';

export interface YamlProblem {
  message: string;
  line?: number;
  column?: number;
}

/** 1-based line and column in a file. */
export interface Position {
  line: number;
  column: number;
}

export type YamlFile =
  | {
      ok: true;
      data: unknown;
      lineOf: (path: readonly PathSegment[]) => number | undefined;
      positionOf: (path: readonly PathSegment[]) => Position | undefined;
    }
  | { ok: false; problems: YamlProblem[] };

/** Reads and parses one YAML file; syntax errors (and warnings such as unknown tags) name line and column. */
export function readYamlFile(absPath: string): YamlFile {
  let source: string;
  try {
    source = readFileSync(absPath, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ message: `cannot read file: ${errorCode(err)}` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // After the first syntax error the parser's view is unreliable: report that one only.
  const problems: YamlProblem[] = (doc.errors.length > 0 ? doc.errors.slice(0, 1) : doc.warnings).map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { message: `invalid YAML at line ${line}, column ${col}: ${firstLine(e.message)}`, line, column: col };
  });
  if (problems.length > 0) return { ok: false, problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ message: `invalid YAML: ${firstLine(err instanceof Error ? err.message : String(err))}` }] };
  }
  const positionOf = (path: readonly PathSegment[]) => locate(doc, lineCounter, path);
  return { ok: true, data, lineOf: (path) => positionOf(path)?.line, positionOf };
}

/** Position of the deepest node along `path` (the key of a mapping entry, the item of a sequence). */
function locate(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[]): Position | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}

export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (typeof code === 'string') return code;
  }
  return 'unreadable';
}
