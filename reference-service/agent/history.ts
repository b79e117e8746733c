import { estimateTokens } from './config.ts';
import type { ChatMessage } from './model-client.ts';
import type { TurnRecord } from './store/types.ts';

export interface Prompt {
  messages: ChatMessage[];
  /** Estimated prompt size (~4 characters per token), what admission charges. */
  promptTokens: number;
  historyTurns: number;
}

/**
 * System prompt + the newest turns that fit `budgetTokens` (oldest dropped first) + the new
 * message. Degraded turns are left out: their text is our fallback, not the model's answer.
 */
export function buildPrompt(
  systemPrompt: string,
  history: readonly TurnRecord[],
  message: string,
  budgetTokens: number,
): Prompt {
  const kept: TurnRecord[] = [];
  let historyTokens = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i]!;
    if (turn.degraded) continue;
    const tokens = estimateTokens(turn.user) + estimateTokens(turn.assistant);
    if (historyTokens + tokens > budgetTokens) break;
    historyTokens += tokens;
    kept.unshift(turn);
  }
  const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt }];
  for (const turn of kept) {
    messages.push({ role: 'user', content: turn.user }, { role: 'assistant', content: turn.assistant });
  }
  messages.push({ role: 'user', content: message });
  return {
    messages,
    promptTokens: estimateTokens(systemPrompt) + historyTokens + estimateTokens(message),
    historyTurns: kept.length,
  };
}
