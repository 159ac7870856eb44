import { describe, expect, it } from 'vitest';
import type { Json } from '../../apps/simulator/src/json.js';
import { jsonPatch, mergePatch, PatchError, patchTypeOf, strategicMergePatch } from '../../apps/simulator/src/patch.js';

const pod: Json = {
  containers: [
    {
      name: 'app',
      image: 'a:1',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    },
    { name: 'sidecar', image: 's:1' },
  ],
  tolerations: [{ key: 'x' }],
};

describe('strategic merge patch', () => {
  it('merges containers, env and ports by their keys', () => {
    const out = strategicMergePatch(pod, {
      containers: [
        {
          name: 'app',
          image: 'a:2',
          env: [
            { name: 'B', value: '3' },
            { name: 'C', value: '4' },
          ],
          ports: [{ containerPort: 80, name: 'http' }],
        },
        { name: 'new', image: 'n:1' },
      ],
    });
    expect(out).toEqual({
      containers: [
        {
          name: 'app',
          image: 'a:2',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '3' },
            { name: 'C', value: '4' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
        },
        { name: 'sidecar', image: 's:1' },
        { name: 'new', image: 'n:1' },
      ],
      tolerations: [{ key: 'x' }],
    });
  });

  it('supports $patch delete / replace, null deletion and replaces lists without a merge key', () => {
    const out = strategicMergePatch(pod, {
      containers: [
        { name: 'sidecar', $patch: 'delete' },
        { name: 'app', env: null },
      ],
      tolerations: [{ key: 'y' }],
    });
    expect(out).toEqual({
      containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      tolerations: [{ key: 'y' }],
    });
    expect(strategicMergePatch({ a: { b: 1, c: 2 } }, { a: { $patch: 'replace', d: 3 } })).toEqual({ a: { d: 3 } });
    expect(strategicMergePatch({ containers: [{ name: 'a' }] }, { containers: [{ name: 'b' }, { $patch: 'replace' }] })).toEqual({
      containers: [{ name: 'b' }],
    });
    expect(strategicMergePatch({ a: 1 }, { '$setElementOrder/containers': [{ name: 'x' }], b: 2 })).toEqual({ a: 1, b: 2 });
    expect(() => strategicMergePatch(pod, { containers: [{ image: 'no-name' }] })).toThrow(PatchError);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, replaces arrays and deletes on null', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' }, l: [1, 2] }, { a: 'z', c: { f: null }, l: [3] })).toEqual({
      a: 'z',
      c: { d: 'e' },
      l: [3],
    });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(mergePatch(undefined, { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc: Json = { a: { b: [1, 2, 3], 'x/y': 1, 'm~n': 2 } };

  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/b/1', value: 9 },
      { op: 'add', path: '/a/b/-', value: 10 },
      { op: 'replace', path: '/a/x~1y', value: 5 },
      { op: 'remove', path: '/a/m~0n' },
      { op: 'copy', from: '/a/b/0', path: '/first' },
      { op: 'move', from: '/a/x~1y', path: '/moved' },
      { op: 'test', path: '/first', value: 1 },
    ]);
    expect(out).toEqual({ a: { b: [1, 9, 2, 3, 10] }, first: 1, moved: 5 });
    expect(doc).toEqual({ a: { b: [1, 2, 3], 'x/y': 1, 'm~n': 2 } }); // input untouched
  });

  it('fails on missing paths, failed tests and malformed operations', () => {
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/a/b/7' }])).toThrow(/out of bounds/);
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/a/b/0', value: 2 }])).toThrow(/test operation failed/);
    expect(() => jsonPatch(doc, [{ op: 'frobnicate', path: '/a' }])).toThrow(/unknown/);
    expect(() => jsonPatch(doc, { op: 'add' })).toThrow(/array/);
  });
});

describe('content types', () => {
  it('maps patch content types and ignores parameters', () => {
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/apply-patch+yaml')).toBeUndefined();
    expect(patchTypeOf('application/json')).toBeUndefined();
    expect(patchTypeOf(undefined)).toBeUndefined();
  });
});
