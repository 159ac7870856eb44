/**
 * Every Kubernetes API verb and resource Tideline uses in a region's cluster, and why. The
 * target-cluster Role (deploy/target-cluster) grants exactly these on named objects; a test
 * compares the two and records the adapter's real calls against the simulator.
 */
export interface KubernetesApiUse {
  apiGroup: string;
  resource: string;
  verbs: readonly string[];
  why: Readonly<Record<string, string>>;
}

export const KUBERNETES_API_USE: readonly KubernetesApiUse[] = [
  {
    apiGroup: 'apps',
    resource: 'deployments',
    verbs: ['get', 'list', 'watch', 'patch'],
    why: {
      get: 'record what runs before a deploy (image, pod template, labels); observe a rollout',
      list: 'a watch of one named Deployment starts with a list (fieldSelector metadata.name)',
      watch: 'observe a rollout without polling (polling with get stays the fallback)',
      patch: 'set the image and release labels (strategic merge); restore the recorded template (merge patch)',
    },
  },
  {
    apiGroup: 'gateway.networking.k8s.io',
    resource: 'httproutes',
    verbs: ['get', 'patch'],
    why: {
      get: 'read the backendRefs weights, resourceVersion and parent status (gateway-api traffic provider)',
      patch: "set the named backendRefs' weights only",
    },
  },
];
