/** Renders a deploy/ kustomization with the real kubectl (Debian kubernetes-client) into objects. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const DEPLOY = resolve(import.meta.dirname, '../../deploy');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function kubectlBinary(): string {
  return process.env.TEST_KUBECTL_BIN ?? 'kubectl';
}

export function render(dir: string): K8sObject[] {
  const out = execFileSync(kubectlBinary(), ['kustomize', resolve(DEPLOY, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export interface RoleRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
