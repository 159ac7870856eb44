/**
 * Slack through an incoming webhook (official @slack/webhook client): one standalone message
 * per event, no threads, no parent to update, and no way to ask Slack what was posted.
 */
import { IncomingWebhook, type FetchFunction } from '@slack/webhook';
import { DeliveryError, type MessageSink, type NotificationMessage } from '#application';
import type { SlackWebhookConfig } from '#config';
import { eventMessage } from './slack-blocks.js';
import { slackError } from './slack-errors.js';

export class SlackWebhookSink implements MessageSink {
  readonly kind = 'sink' as const;

  constructor(
    private readonly config: SlackWebhookConfig,
    private readonly timeoutMs: number,
  ) {}

  async send(message: NotificationMessage): Promise<void> {
    // The client hides response headers: keep Retry-After from a 429 through its fetch option.
    let retryAfter: string | null = null;
    const capture: FetchFunction = async (url, init) => {
      const res = await fetch(url, init);
      retryAfter = res.headers.get('retry-after');
      return res;
    };
    const hook = new IncomingWebhook(this.config.webhookUrl.reveal(), {
      timeout: this.timeoutMs,
      retryConfig: { retries: 0 },
      fetch: capture,
    });
    const m = eventMessage(message, true);
    try {
      await hook.send({ text: m.text, blocks: m.blocks, unfurl_links: false });
    } catch (err) {
      const e = slackError('Slack incoming webhook', err);
      if ((err as { statusCode?: unknown }).statusCode !== 429) throw e;
      const seconds = retryAfter === null ? Number.NaN : Number.parseInt(retryAfter, 10);
      throw new DeliveryError(`${e.message} (rate limited)`, true, (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000);
    }
  }
}
