/** The gateway-api provider's weight patch: only named weights change, none left unset, no-ops skipped, parents' verdict. */
import { describe, expect, it } from 'vitest';
import { parentVerdict, readWeight, weightPlan } from '#integrations';
import { jsonPatch } from '../../apps/simulator/src/patch.js';
import type { Json } from '../../apps/simulator/src/json.js';

const USERS_RULE = {
  matches: [{ headers: [{ name: 'x-canary', value: 'true' }] }],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-from', value: 'edge' }] } }],
  backendRefs: [{ name: 'canary', port: 80 }],
};

function route(): Json {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { namespace: 'edge', name: 'global', resourceVersion: '42', generation: 3 },
    spec: {
      parentRefs: [{ name: 'edge-gateway' }],
      rules: [
        structuredClone(USERS_RULE),
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            { name: 'eu-west', port: 80 },
            { name: 'us-east', port: 80, weight: 5 },
            { name: 'legacy', port: 80 },
          ],
        },
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'eu-west', port: 8080, weight: 7 }] },
      ],
    },
  };
}

const MANAGED = ['eu-west', 'us-east'];

describe('gateway-api weight plan', () => {
  it('sets the named backendRef in every rule that names it and touches nothing else', () => {
    const before = route();
    const plan = weightPlan(before, 'eu-west', 0, MANAGED);
    expect(plan.changes).toEqual([
      { rule: 1, backendRef: 0, name: 'eu-west', from: undefined, to: 0 },
      { rule: 2, backendRef: 0, name: 'eu-west', from: 7, to: 0 },
    ]);
    expect(plan.ops).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'test', path: '/spec/rules/1/backendRefs/0/name', value: 'eu-west' },
      { op: 'add', path: '/spec/rules/1/backendRefs/0/weight', value: 0 },
      { op: 'test', path: '/spec/rules/2/backendRefs/0/name', value: 'eu-west' },
      { op: 'replace', path: '/spec/rules/2/backendRefs/0/weight', value: 0 },
    ]);
    const after = jsonPatch(before, plan.ops as unknown as Json) as {
      spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
    };
    expect(after.spec.rules[0]).toEqual(USERS_RULE); // the user's own rule, byte for byte
    expect(after.spec.rules[1]?.backendRefs).toEqual([
      { name: 'eu-west', port: 80, weight: 0 },
      { name: 'us-east', port: 80, weight: 5 },
      { name: 'legacy', port: 80 }, // not managed: left as the user wrote it
    ]);
    expect(readWeight(after, 'eu-west')).toBe(0);
  });

  it('writes out missing weights of the other managed backendRefs as 1 (the spec default)', () => {
    const r = route() as { spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] } };
    delete r.spec.rules[1]!.backendRefs[1]!.weight; // us-east now implicit (1)
    const plan = weightPlan(r, 'eu-west', 3, MANAGED);
    expect(plan.changes.filter((c) => c.name === 'us-east')).toEqual([{ rule: 1, backendRef: 1, name: 'us-east', from: undefined, to: 1 }]);
    const after = jsonPatch(r as unknown as Json, plan.ops as unknown as Json);
    expect(readWeight(after, 'us-east')).toBe(1);
    expect(readWeight(after, 'eu-west')).toBe(3);
  });

  it('plans nothing when the weights are already there', () => {
    const r = route();
    const once = jsonPatch(r, weightPlan(r, 'eu-west', 1, MANAGED).ops as unknown as Json);
    expect(weightPlan(once, 'eu-west', 1, MANAGED)).toEqual({ ops: [], changes: [] });
    // an unset weight already means 1, and it has no unset managed siblings: nothing to write
    const implicit = {
      metadata: { resourceVersion: '1' },
      spec: { rules: [{ backendRefs: [{ name: 'eu-west' }, { name: 'us-east', weight: 1 }] }] },
    };
    expect(weightPlan(implicit, 'eu-west', 1, MANAGED).ops).toEqual([]);
    expect(readWeight(implicit, 'eu-west')).toBe(1);
  });

  it('refuses a route without the backendRef and weights outside the Gateway API range', () => {
    expect(() => weightPlan(route(), 'ap-south', 0, MANAGED)).toThrow('HTTPRoute edge/global has no backendRef named "ap-south"');
    expect(() => readWeight(route(), 'ap-south')).toThrow('no backendRef named "ap-south"');
    expect(() => weightPlan(route(), 'eu-west', -1, MANAGED)).toThrow('integer from 0 to 1000000');
    expect(() => weightPlan(route(), 'eu-west', 2.5, MANAGED)).toThrow('integer from 0 to 1000000');
  });
});

describe('gateway-api parent verdict', () => {
  const withConditions = (conditions: object[][]): Json =>
    ({ status: { parents: conditions.map((c, i) => ({ parentRef: { name: `gw-${i}` }, conditions: c })) } }) as unknown as Json;
  const cond = (type: string, status: string, observedGeneration: number, reason = 'R') => ({
    type,
    status,
    observedGeneration,
    reason,
    message: 'm',
  });

  it('is ready only when every parent accepts the generation and resolves its refs', () => {
    expect(parentVerdict(withConditions([[cond('Accepted', 'True', 4), cond('ResolvedRefs', 'True', 4)]]), 4)).toEqual({ ready: true });
    expect(parentVerdict(withConditions([[cond('Accepted', 'True', 3), cond('ResolvedRefs', 'True', 3)]]), 4)).toEqual({ ready: false }); // stale
    expect(parentVerdict(withConditions([[cond('Accepted', 'True', 4)]]), 4)).toEqual({ ready: false }); // ResolvedRefs missing
    expect(
      parentVerdict(withConditions([[cond('Accepted', 'True', 4), cond('ResolvedRefs', 'True', 4)], [cond('Accepted', 'True', 3)]]), 4)
        .ready,
    ).toBe(false);
    expect(parentVerdict({ status: { parents: [] } }, 1)).toEqual({ ready: false });
  });

  it('names a parent that refuses the generation', () => {
    const v = parentVerdict(withConditions([[cond('Accepted', 'False', 4, 'NotAllowedByListeners'), cond('ResolvedRefs', 'True', 4)]]), 4);
    expect(v).toEqual({ ready: false, rejected: 'parent gw-0 reports Accepted False (NotAllowedByListeners: m)' });
    // a refusal of an older generation is not about this write
    expect(parentVerdict(withConditions([[cond('Accepted', 'False', 3), cond('ResolvedRefs', 'True', 3)]]), 4)).toEqual({ ready: false });
  });
});
