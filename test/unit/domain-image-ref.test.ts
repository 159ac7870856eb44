import { describe, expect, it } from 'vitest';
import { FLOATING_TAGS, parseImageRef, validateReleaseImage, type ImageRef } from '../../libs/domain/src/image-ref.js';

const HEX64 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const DIGEST = `sha256:${HEX64}`;

function problemOf(input: string, fn = validateReleaseImage): string {
  const r = fn(input);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${JSON.stringify(r.ref)}`);
  expect(typeof r.problem).toBe('string');
  expect(r.problem.length).toBeGreaterThan(0);
  return r.problem;
}

function refOf(input: string, fn = validateReleaseImage): ImageRef {
  const r = fn(input);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got problem: ${r.problem}`);
  return r.ref;
}

describe('validateReleaseImage: accepted', () => {
  it.each<[string, ImageRef]>([
    ['registry.example.com/shop/checkout:1.4.2', { registry: 'registry.example.com', repository: 'shop/checkout', tag: '1.4.2' }],
    ['localhost:5000/app:v2', { registry: 'localhost:5000', repository: 'app', tag: 'v2' }],
    ['nginx:1.25', { repository: 'nginx', tag: '1.25' }],
    [`repo@${DIGEST}`, { repository: 'repo', digest: DIGEST }],
    [
      `registry.example.com/shop/checkout:1.4.2@${DIGEST}`,
      { registry: 'registry.example.com', repository: 'shop/checkout', tag: '1.4.2', digest: DIGEST },
    ],
    [
      `registry.example.com:5000/shop/checkout@${DIGEST}`,
      { registry: 'registry.example.com:5000', repository: 'shop/checkout', digest: DIGEST },
    ],
    ['localhost/app:2024.01.02-rc_1', { registry: 'localhost', repository: 'app', tag: '2024.01.02-rc_1' }],
    ['shop/check-out__x.y:1', { repository: 'shop/check-out__x.y', tag: '1' }],
  ])('%s', (input, expected) => {
    expect(refOf(input)).toStrictEqual(expected);
    // parseImageRef agrees with the validator on valid pinned references
    expect(refOf(input, parseImageRef)).toStrictEqual(expected);
  });

  it('accepts a floating tag when a digest pins the image anyway', () => {
    expect(refOf(`nginx:latest@${DIGEST}`)).toStrictEqual({ repository: 'nginx', tag: 'latest', digest: DIGEST });
  });

  it('accepts exactly 512 characters and refuses 513', () => {
    const at512 = `${'a'.repeat(508)}:1.0`;
    expect(at512).toHaveLength(512);
    expect(refOf(at512).tag).toBe('1.0');
    const at513 = `${'a'.repeat(509)}:1.0`;
    expect(problemOf(at513)).toContain('512');
  });
});

describe('validateReleaseImage: refused', () => {
  it('refuses a tagless image, saying it is tagless', () => {
    expect(problemOf('registry.example.com/shop/checkout')).toContain('tagless');
    expect(problemOf('nginx')).toContain('tagless');
    // a registry port is not a tag
    expect(problemOf('localhost:5000/app')).toContain('tagless');
  });

  it('parseImageRef alone accepts a tagless image (it only parses)', () => {
    expect(refOf('registry.example.com/shop/checkout', parseImageRef)).toStrictEqual({
      registry: 'registry.example.com',
      repository: 'shop/checkout',
    });
  });

  it.each(['latest', 'LATEST', 'Latest', 'lAtEsT'])('refuses :%s in any case, naming the tag', (tag) => {
    const problem = problemOf(`registry.example.com/shop/checkout:${tag}`);
    expect(problem.toLowerCase()).toContain('latest');
    expect(problem).toContain('moves');
    expect(problem).toContain('digest');
  });

  it.each(['stable', 'main', 'master', 'dev', 'develop', 'edge', 'nightly', 'head', 'MAIN'])('refuses floating tag :%s', (tag) => {
    const problem = problemOf(`nginx:${tag}`);
    expect(problem).toContain(`"${tag}"`);
    expect(problem).toContain('moves');
  });

  it('the floating-tag list includes latest, stable and main', () => {
    expect(FLOATING_TAGS).toEqual(expect.arrayContaining(['latest', 'stable', 'main']));
  });

  it('parseImageRef alone accepts :latest (floating is a release rule, not syntax)', () => {
    expect(refOf('nginx:latest', parseImageRef)).toStrictEqual({ repository: 'nginx', tag: 'latest' });
  });

  it.each<[string, RegExp]>([
    ['UPPER/case:1', /lowercase/],
    ['shop/Checkout:1', /lowercase/],
    ['a b:1', /whitespace/],
    ['nginx:1.0\n', /whitespace/],
    ['', /empty/],
    ['repo:', /tag "" is not a valid tag/],
    ['repo:-bad', /tag "-bad" is not a valid tag/],
    ['repo:bad/tag', /registry "repo:bad" is not a valid host/],
    [`repo:${'t'.repeat(129)}`, /not a valid tag/],
    ['repo@sha256:short', /digest/],
    [`repo@sha256:${HEX64.toUpperCase()}`, /digest/],
    [`repo@sha512:${HEX64}`, /digest/],
    [`repo@${HEX64}`, /digest/],
    ['repo@', /digest/],
    [':1.0', /lowercase/],
    ['repo//x:1', /lowercase/],
    ['/repo:1', /lowercase/],
    ['repo/:1', /lowercase/],
    ['-repo:1', /lowercase/],
    ['repo.:1', /lowercase/],
    ['bad_host.example.com/app:1', /registry "bad_host.example.com" is not a valid host/],
    ['x'.repeat(600), /512/],
  ])('refuses %j with a problem matching %s', (input, reason) => {
    expect(problemOf(input)).toMatch(reason);
    // malformed input is refused by the parser already
    expect(problemOf(input, parseImageRef)).toMatch(reason);
  });

  it('a 600-character reference is refused even if otherwise well-formed', () => {
    const long = `registry.example.com/${'a'.repeat(570)}:1.0`;
    expect(long.length).toBeGreaterThan(512);
    expect(problemOf(long)).toMatch(/at most 512 characters/);
  });
});
