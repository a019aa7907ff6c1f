import { z } from 'zod';
import type { RequestResult } from './types.js';

/**
 * What instances say to each other on their channels (keys.ts): a request to send over the
 * receiver's connection, and the result sent back when the asker waits for it. Checked on
 * arrival: a channel is open to anything that can PUBLISH on the Redis.
 */
const target = z.object({
  msisdn: z.string().min(1),
  sessionId: z.string().min(1),
  originHost: z.string().min(1),
  originRealm: z.string().min(1),
  peer: z.string().min(1),
  instance: z.string().optional(),
  ratingGroup: z.number().int().nonnegative().optional(),
});

const sendRequest = z.object({
  type: z.literal('send'),
  id: z.string().min(1),
  /** The asker's instance id when it waits for the result; absent: nobody waits. */
  replyTo: z.string().optional(),
  kind: z.enum(['rar', 'asr']),
  trigger: z.enum(['topup', 'refund', 'operator', 'status', 'provisioning', 'vpn', 'bundle', 'tariff']),
  target,
});

const sendResult = z.object({
  type: z.literal('result'),
  id: z.string().min(1),
  result: z.object({
    sessionId: z.string(),
    kind: z.enum(['rar', 'asr']),
    outcome: z.enum(['success', 'unknown_session', 'error', 'no_answer', 'no_peer', 'sent']),
    resultCode: z.number().int().optional(),
    instance: z.string().optional(),
  }),
});

export const channelMessage = z.discriminatedUnion('type', [sendRequest, sendResult]);
export type ChannelMessage = z.infer<typeof channelMessage>;
export type SendRequest = z.infer<typeof sendRequest>;

/** A message from the channel, or undefined when it is not one of ours. */
export function parseChannelMessage(raw: string): ChannelMessage | undefined {
  try {
    const parsed = channelMessage.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function resultMessage(id: string, result: RequestResult): string {
  return JSON.stringify({ type: 'result', id, result });
}
