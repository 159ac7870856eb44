/** A small PromQL tokenizer: enough to find selectors, label matchers, calls and aggregations. */

export type TokenKind = 'ident' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const SPACE = /\s+/y;
const COMMENT = /#[^\n]*/y;
const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/y;
/** numbers, hex numbers and durations such as 5m, 1h30m, 1.5e3 */
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:[a-zA-Z]+(?:\d+[a-zA-Z]+)*)?/y;
const IDENT = /[a-zA-Z_][a-zA-Z0-9_:]*/y;
const PUNCT = /==|!=|<=|>=|=~|!~|[-+*/%^<>=@(){}[\],:]/y;

/** The tokens of `text`, or null when a character is not PromQL this tokenizer knows. */
export function tokenize(text: string): Token[] | null {
  const out: Token[] = [];
  let at = 0;
  const tryRe = (re: RegExp): string | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    return m ? m[0] : null;
  };
  while (at < text.length) {
    const skip = tryRe(SPACE) ?? tryRe(COMMENT);
    if (skip !== null) {
      at += skip.length;
      continue;
    }
    let kind: TokenKind | null = null;
    let piece: string | null = null;
    for (const [k, re] of [
      ['string', STRING],
      ['number', NUMBER],
      ['ident', IDENT],
      ['punct', PUNCT],
    ] as const) {
      piece = tryRe(re);
      if (piece !== null) {
        kind = k;
        break;
      }
    }
    if (kind === null || piece === null || piece === '') return null;
    out.push({ kind, text: piece, start: at, end: at + piece.length });
    at += piece.length;
  }
  return out;
}

/** The value of a PromQL string literal token (escapes of "…" and '…' resolved; `…` raw). */
export function stringValue(token: Token): string {
  const body = token.text.slice(1, -1);
  if (token.text.startsWith('`')) return body;
  return body.replace(/\\(.)/g, (_w, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}
