/**
 * Kubernetes API requests through @kubernetes/client-node's own transport and authentication
 * (the KubeConfig's applySecurityAuthentication: credentials, TLS and the agent it installs),
 * without its generated model layer: a GET returns the body text for the caller to parse, a
 * PATCH reads its response and drops it. Outside 2xx it throws the generated clients' ApiException.
 */
import * as k8s from '@kubernetes/client-node';

/** The patch types whose body is JSON (JSON patch, merge patch, strategic merge patch). */
export type JsonPatchType = Extract<k8s.PatchStrategy, `${string}+json`>;

export class KubeRequests {
  private readonly server: k8s.BaseServerConfiguration;
  private readonly httpApi: k8s.HttpLibrary;

  /** Bound to the KubeConfig's current cluster, as `kubeConfig.makeApiClient` is. */
  constructor(private readonly kubeConfig: k8s.KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    this.server = new k8s.ServerConfiguration(cluster.server, {});
    this.httpApi = k8s.createConfiguration().httpApi; // the library's default transport, which makeApiClient's clients use
  }

  /** GET `path` (segments already URL-encoded) → the body text of a 2xx response. */
  get(path: string): Promise<string> {
    return this.send(this.request(path, k8s.HttpMethod.GET));
  }

  /** PATCH `path` with `body` as JSON of the given patch type; the response is read, not parsed. */
  async patch(path: string, type: JsonPatchType, body: unknown): Promise<void> {
    const ctx = this.request(path, k8s.HttpMethod.PATCH);
    ctx.setHeaderParam('Content-Type', type);
    ctx.setBody(JSON.stringify(body));
    await this.send(ctx);
  }

  private request(path: string, method: k8s.HttpMethod): k8s.RequestContext {
    const ctx = this.server.makeRequestContext(path, method);
    ctx.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    return ctx;
  }

  private async send(ctx: k8s.RequestContext): Promise<string> {
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const res = await this.httpApi.send(ctx).toPromise();
    const text = await res.body.text(); // read whatever the status, so the keep-alive socket is freed
    const code = res.httpStatusCode;
    if (code >= 200 && code <= 299) return text;
    // as the generated clients do: a 401 carries no body, any other status its body text
    if (code === 401) throw new k8s.ApiException(code, 'Unauthorized', undefined, res.headers);
    throw new k8s.ApiException(code, 'Unknown API Status Code!', text, res.headers);
  }
}
