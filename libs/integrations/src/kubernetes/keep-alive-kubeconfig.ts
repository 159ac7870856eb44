/**
 * A KubeConfig whose API clients reuse connections: @kubernetes/client-node 1.x builds a new
 * agent (so a new TCP/TLS connection) for every call; this keeps one keep-alive agent per
 * cluster, built with the same TLS options the library chose. Proxied clusters keep the library's agent.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';

/** Idle connections are closed after this long (or sooner if the server says it closes them sooner). */
const IDLE_SOCKET_MS = 30_000;

type RequestContext = Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0];

export class KeepAliveKubeConfig extends k8s.KubeConfig {
  private agent: http.Agent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (this.getCurrentCluster()?.proxyUrl) return;
    const created = context.getAgent();
    if (!created) return;
    if (!this.agent) {
      // `timeout` bounds how long an idle socket is kept; with it set, Node also honours a server's
      // `Keep-Alive: timeout=N` hint (drops the socket a second early) instead of reusing one the
      // server is closing (ECONNRESET / socket hang up on the next call)
      const options = {
        ...(created as http.Agent & { options: http.AgentOptions }).options,
        keepAlive: true,
        maxSockets: 16,
        timeout: IDLE_SOCKET_MS,
      };
      this.agent = created instanceof https.Agent ? new https.Agent(options) : new http.Agent(options);
    }
    context.setAgent(this.agent);
  }
}
