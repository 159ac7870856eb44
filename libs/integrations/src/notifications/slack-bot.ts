/**
 * Slack with a bot token (scopes chat:write, and channels:history / groups:history for the
 * duplicate checks), through the official @slack/web-api client. The client never retries or
 * waits by itself (retries: 0, rate-limited calls rejected at once): the delivery job decides,
 * so a rate-limited Slack cannot hold a worker.
 */
import { WebClient, LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { NotificationMessage, ReleaseSummary, ThreadedChat, Logger } from '#application';
import type { SlackBotConfig } from '#config';
import { eventMessage, parentMessage } from './slack-blocks.js';
import { slackError } from './slack-errors.js';

export const PARENT_EVENT_TYPE = 'tideline_release';
export const REPLY_EVENT_TYPE = 'tideline_notification';
/** Channel ids (C…, G…, D…); conversations.history and .replies take only ids. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

interface SlackMessageView {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  let name = 'slack';
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : '')).join(' ');
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => log.warn({ component: name }, text(msg)),
    error: (...msg: unknown[]) => log.error({ component: name }, text(msg)),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: (n: string) => void (name = n),
  };
}

export class SlackBotChat implements ThreadedChat {
  readonly kind = 'thread' as const;
  private readonly client: WebClient;

  constructor(
    private readonly config: SlackBotConfig,
    timeoutMs: number,
    log: Logger,
  ) {
    this.client = new WebClient(config.token.reveal(), {
      ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: slackLogger(log),
      logLevel: LogLevel.WARN,
    });
  }

  channelFor(service: string): string | null {
    return Object.hasOwn(this.config.channels, service) ? this.config.channels[service]! : (this.config.defaultChannel ?? null);
  }

  async postParent(channel: string, release: ReleaseSummary): Promise<{ ts: string; channel: string }> {
    const m = parentMessage(release);
    const res = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        metadata: { event_type: PARENT_EVENT_TYPE, event_payload: { release_id: release.id } },
      }),
    );
    if (!res.ts) throw slackError('chat.postMessage', new Error('Slack answered without a message ts'));
    return { ts: res.ts, channel: res.channel ?? channel };
  }

  async findParent(channel: string, releaseId: string, since: Date): Promise<string | null> {
    if (!CHANNEL_ID.test(channel)) return null; // a channel name: history cannot be read without its id
    const res = await this.call('conversations.history', () =>
      this.client.conversations.history({
        channel,
        oldest: ((since.getTime() - 60_000) / 1000).toFixed(6),
        include_all_metadata: true,
        limit: 200,
      }),
    );
    const found = ((res.messages ?? []) as SlackMessageView[]).find(
      (m) => m.metadata?.event_type === PARENT_EVENT_TYPE && m.metadata.event_payload?.['release_id'] === releaseId,
    );
    return found?.ts ?? null;
  }

  async postReply(channel: string, parentTs: string, message: NotificationMessage, deliveryId: string): Promise<string> {
    const m = eventMessage(message, false);
    const res = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        thread_ts: parentTs,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        metadata: {
          event_type: REPLY_EVENT_TYPE,
          event_payload: { delivery_id: deliveryId, release_id: message.release.id, event_id: message.eventId },
        },
      }),
    );
    if (!res.ts) throw slackError('chat.postMessage', new Error('Slack answered without a message ts'));
    return res.ts;
  }

  async findReply(channel: string, parentTs: string, deliveryId: string): Promise<string | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await this.call('conversations.replies', () =>
        this.client.conversations.replies({ channel, ts: parentTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      const found = ((res.messages ?? []) as SlackMessageView[]).find(
        (m) => m.metadata?.event_type === REPLY_EVENT_TYPE && m.metadata.event_payload?.['delivery_id'] === deliveryId,
      );
      if (found?.ts) return found.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }

  async updateParent(channel: string, parentTs: string, release: ReleaseSummary): Promise<void> {
    const m = parentMessage(release);
    await this.call('chat.update', () => this.client.chat.update({ channel, ts: parentTs, text: m.text, blocks: m.blocks }));
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw slackError(`Slack ${method}`, err);
    }
  }
}
