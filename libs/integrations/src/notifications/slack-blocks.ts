/** Block Kit layouts of the parent message (the release) and of one event's message. */
import type { KnownBlock } from '@slack/types';
import { describePlan, type NotificationMessage, type ReleaseSummary } from '#application';

export interface SlackMessage {
  /** notification text (also what clients without blocks show) */
  text: string;
  blocks: KnownBlock[];
}

const STATE_EMOJI: Record<string, string> = {
  queued: ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  paused: ':double_vertical_bar:',
  awaiting_approval: ':raising_hand:',
  rolling_back: ':rewind:',
  succeeded: ':white_check_mark:',
  rolled_back: ':leftwards_arrow_with_hook:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  superseded: ':fast_forward:',
};

const SEVERITY_EMOJI = { info: ':large_blue_circle:', warning: ':warning:', failure: ':rotating_light:' } as const;

/** Slack mrkdwn: escape the three control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const state = (s: string) => `${STATE_EMOJI[s] ?? ''} ${s.replace(/_/g, ' ')}`.trim();

function emoji(m: NotificationMessage): string {
  if (m.eventType === 'release.succeeded' || m.eventType === 'region.verified') return ':white_check_mark:';
  return SEVERITY_EMOJI[m.severity];
}

/** The parent message: service, version, plan, current state and a link to the release. */
export function parentMessage(r: ReleaseSummary): SlackMessage {
  const text = `${r.service} ${r.version} (release #${r.releaseNumber}): ${r.state.replace(/_/g, ' ')}`;
  const fields = [
    `*Service*\n${escapeMrkdwn(r.service)}`,
    `*Version*\n${escapeMrkdwn(r.version)}`,
    `*State*\n${state(r.state)}${r.currentStage && r.state !== 'succeeded' ? ` (${escapeMrkdwn(r.currentStage)})` : ''}`,
    `*Release*\n<${r.url}|#${r.releaseNumber}>`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${r.service} ${r.version}`, 150), emoji: true } },
    { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn' as const, text: clip(f, 2000) })) },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Plan* ${escapeMrkdwn(r.plan)}: ${escapeMrkdwn(describePlan(r))}`, 3000) } },
  ];
  if (r.stateReason) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Why* ${escapeMrkdwn(r.stateReason)}`, 3000) } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          `\`${escapeMrkdwn(r.image)}\`${r.requestedBy ? ` · requested by ${escapeMrkdwn(r.requestedBy)}` : ''} · <${r.url}|open the release>`,
          3000,
        ),
      },
    ],
  });
  return { text, blocks };
}

/** One event: a reply in the release's thread, or (standalone) a message that names the release. */
export function eventMessage(m: NotificationMessage, standalone: boolean): SlackMessage {
  const r = m.release;
  const prefix = standalone ? `${r.service} ${r.version}: ` : '';
  const text = `${prefix}${m.title}: ${m.text}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${emoji(m)} *${escapeMrkdwn(prefix + m.title)}*: ${escapeMrkdwn(m.text)}`, 3000) },
    },
  ];
  if (m.fields.length > 0) {
    blocks.push({
      type: 'section',
      fields: m.fields
        .slice(0, 10)
        .map((f) => ({ type: 'mrkdwn' as const, text: clip(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, 2000) })),
    });
  }
  const where = [m.region && `region ${m.region}`, m.stage && `stage ${m.stage}`, `by ${m.actor}`].filter(Boolean).join(' · ');
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(`${escapeMrkdwn(where)} · <${r.url}|${standalone ? `release #${r.releaseNumber}` : 'open the release'}>`, 3000),
      },
    ],
  });
  return { text: clip(text, 3000), blocks };
}
