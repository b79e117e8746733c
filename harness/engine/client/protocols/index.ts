import type { Protocol } from '../types.ts';
import type { ProtocolAdapter } from './adapter.ts';
import { agent } from './agent.ts';
import { openaiChat } from './openai-chat.ts';
import { tgiGenerateStream } from './tgi-generate-stream.ts';

export type { ProtocolAdapter } from './adapter.ts';

export const protocols = {
  agent,
  'openai-chat': openaiChat,
  'tgi-generate-stream': tgiGenerateStream,
} satisfies Record<Protocol, ProtocolAdapter>;
