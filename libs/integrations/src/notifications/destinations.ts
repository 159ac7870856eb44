/**
 * The notification destinations configured in notifications.yaml, by name (`slack`,
 * `webhook:<name>`), each built by the factory registered for its type.
 */
import {
  UnknownDestinationError,
  type Logger,
  type MessageSink,
  type NotificationDestination,
  type NotificationDestinations,
  type ThreadedChat,
} from '#application';
import type { NotificationsConfig, SlackBotConfig, SlackWebhookConfig, WebhookConfig } from '#config';
import { HttpWebhookSink } from './http-webhook.js';
import { SlackBotChat } from './slack-bot.js';
import { SlackWebhookSink } from './slack-webhook.js';

export type DestinationSpec =
  | { type: 'slack-bot'; config: SlackBotConfig }
  | { type: 'slack-webhook'; config: SlackWebhookConfig }
  | { type: 'webhook'; config: WebhookConfig };
type Factories = {
  [T in DestinationSpec['type']]: (
    spec: Extract<DestinationSpec, { type: T }>,
    timeoutMs: number,
    log: Logger,
  ) => ThreadedChat | MessageSink;
};

export class UnknownDestinationTypeError extends Error {}

/** One factory per destination type, each in its own file. */
const FACTORIES: Factories = {
  'slack-bot': (s, timeoutMs, log) => new SlackBotChat(s.config, timeoutMs, log),
  'slack-webhook': (s, timeoutMs) => new SlackWebhookSink(s.config, timeoutMs),
  webhook: (s, timeoutMs) => new HttpWebhookSink(s.config, timeoutMs),
};

/** Build a destination channel; throws on a type no factory is registered for. */
export function createChannel(spec: DestinationSpec, timeoutMs: number, log: Logger): ThreadedChat | MessageSink {
  if (!Object.hasOwn(FACTORIES, spec.type)) {
    throw new UnknownDestinationTypeError(
      `unknown notification destination type ${String(spec.type)} (known: ${Object.keys(FACTORIES).join(', ')})`,
    );
  }
  const factory = FACTORIES[spec.type] as (s: DestinationSpec, timeoutMs: number, log: Logger) => ThreadedChat | MessageSink;
  return factory(spec, timeoutMs, log);
}

export class ConfiguredDestinations implements NotificationDestinations {
  private readonly byName = new Map<string, NotificationDestination>();

  constructor(config: NotificationsConfig | undefined, log: Logger) {
    if (!config) return;
    const timeoutMs = config.delivery.timeoutMs;
    const slack = config.slack;
    if (slack) {
      const channel =
        slack.mode === 'bot'
          ? createChannel({ type: 'slack-bot', config: slack }, timeoutMs, log)
          : createChannel({ type: 'slack-webhook', config: slack }, timeoutMs, log);
      this.add({
        name: 'slack',
        filter: { minSeverity: slack.minSeverity, ...(slack.events ? { events: slack.events } : {}) },
        accepts: (service) => channel.kind === 'sink' || channel.channelFor(service) !== null,
        channel,
      });
    }
    for (const hook of config.webhooks) {
      this.add({
        name: `webhook:${hook.name}`,
        filter: { minSeverity: hook.minSeverity, ...(hook.events ? { events: hook.events } : {}) },
        accepts: () => true,
        channel: createChannel({ type: 'webhook', config: hook }, timeoutMs, log),
      });
    }
  }

  private add(d: NotificationDestination): void {
    this.byName.set(d.name, d);
  }

  all(): readonly NotificationDestination[] {
    return [...this.byName.values()];
  }

  get(name: string): NotificationDestination {
    const d = this.byName.get(name);
    if (!d) throw new UnknownDestinationError(name);
    return d;
  }
}
