/**
 * API discovery documents of the simulated clusters (the legacy, unaggregated forms, which
 * kubectl and client-go fall back to when `/api` and `/apis` answer plain application/json).
 */
import type { JsonObject } from './json.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

interface ResourceInfo {
  name: string;
  singularName: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const DEPLOYMENTS: ResourceInfo = {
  name: 'deployments',
  singularName: 'deployment',
  kind: 'Deployment',
  verbs: ['get', 'list', 'patch', 'watch'],
  shortNames: ['deploy'],
  categories: ['all'],
};

const HTTPROUTES: ResourceInfo = {
  name: 'httproutes',
  singularName: 'httproute',
  kind: 'HTTPRoute',
  verbs: ['get', 'list', 'patch', 'watch'],
  categories: ['gateway-api'],
};

const EVENTS: ResourceInfo = { name: 'events', singularName: 'event', kind: 'Event', verbs: ['list'], shortNames: ['ev'] };
const NAMESPACES: ResourceInfo = { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', verbs: ['get'], shortNames: ['ns'] };

function resourceList(groupVersion: string, resources: ResourceInfo[]): JsonObject {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map((r) => ({ ...r, namespaced: r.kind !== 'Namespace' }) as unknown as JsonObject),
  };
}

function group(name: string, version: string): JsonObject {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

/** The discovery document at `path` (segments after the cluster prefix), or undefined. */
export function discovery(seg: readonly string[]): JsonObject | undefined {
  const path = seg.join('/');
  switch (path) {
    case 'api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      };
    case 'api/v1':
      return resourceList('v1', [EVENTS, NAMESPACES]);
    case 'apis':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('apps', 'v1'), group(GATEWAY_GROUP, 'v1')] };
    case 'apis/apps':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('apps', 'v1') };
    case 'apis/apps/v1':
      return resourceList('apps/v1', [DEPLOYMENTS]);
    case `apis/${GATEWAY_GROUP}`:
      return { kind: 'APIGroup', apiVersion: 'v1', ...group(GATEWAY_GROUP, 'v1') };
    case `apis/${GATEWAY_GROUP}/v1`:
      return resourceList(`${GATEWAY_GROUP}/v1`, [HTTPROUTES]);
    default:
      return undefined;
  }
}

export const VERSION_INFO: JsonObject = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-tideline-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'simulator',
};
