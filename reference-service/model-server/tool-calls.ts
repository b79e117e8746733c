import { messageText } from './chat-template.ts';
import { toolError, type InferError } from './infer-errors.ts';
import { sampleArguments } from './json-schema-sample.ts';
import type { ChatMessage, ToolChoice, ToolDefinition } from './request-schemas.ts';
import { createSimRng, hashSeed } from './rng.ts';

/**
 * Whether the simulated model calls a tool, and with what (documented in docs/model-server-api.md,
 * "Tool calls"). Deterministic: the same messages, tools and seed always give the same call.
 *   - no tools, or tool_choice "none": never;
 *   - tool_choice {"type":"function","function":{"name":N}}: always N (422 if N is not in tools);
 *   - tool_choice "required": always, the best-matching tool (below), else one picked by the prompt hash;
 *   - "auto" (the default): only when the last message is the user's, and a tool matches it:
 *     score = 10 per part of the tool's name (split on _ - . and camelCase, 4+ letters, not a generic
 *     verb) found among the message's words, + 1 per distinct keyword of the description (5+ letters,
 *     not a stop word) found; a tool is called when its score is >= 2; the best score wins, ties go to
 *     the first tool. After a tool result (last message role "tool") it answers in text.
 * Arguments follow the tool's JSON schema (json-schema-sample.ts), drawing strings from the user's text.
 */

export interface ToolCallPlan {
  id: string;
  name: string;
  /** The `arguments` string, as the model emits it (not valid JSON when malformed). */
  argumentsJson: string;
}

const GENERIC_NAME_PARTS = new Set([
  'get',
  'set',
  'list',
  'fetch',
  'create',
  'update',
  'delete',
  'find',
  'tool',
]);
const STOP_WORDS = new Set([
  'about',
  'above',
  'after',
  'again',
  'their',
  'there',
  'these',
  'those',
  'which',
  'while',
  'where',
  'would',
  'could',
  'should',
  'given',
  'using',
  'returns',
  'return',
  'value',
  'values',
  'other',
]);

function words(lowered: string): Set<string> {
  return new Set(lowered.match(/[a-z0-9]+/g));
}

function nameParts(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((p) => p.length >= 4 && !GENERIC_NAME_PARTS.has(p));
}

/** `lowered` is the user's text in lower case, `seen` its words. */
function toolScore(tool: ToolDefinition, lowered: string, seen: ReadonlySet<string>): number {
  let score = lowered.includes(tool.function.name.toLowerCase()) ? 10 : 0;
  for (const part of nameParts(tool.function.name)) if (seen.has(part)) score += 10;
  const keywords = new Set(
    (tool.function.description ?? '')
      .toLowerCase()
      .match(/[a-z]+/g)
      ?.filter((w) => w.length >= 5 && !STOP_WORDS.has(w)) ?? [],
  );
  for (const k of keywords) if (seen.has(k)) score += 1;
  return score;
}

function bestTool(
  tools: readonly ToolDefinition[],
  userText: string,
): { tool: ToolDefinition; score: number } {
  const lowered = userText.toLowerCase();
  const seen = words(lowered);
  let best = { tool: tools[0]!, score: -1 };
  for (const tool of tools) {
    const score = toolScore(tool, lowered, seen);
    if (score > best.score) best = { tool, score };
  }
  return best;
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return messageText(messages[i]!);
  }
  return '';
}

/** The tool to call, null to answer in text, or a 422 tool error. */
export function chooseTool(
  tools: readonly ToolDefinition[],
  toolChoice: ToolChoice | null | undefined,
  messages: readonly ChatMessage[],
  promptHash: number,
): ToolDefinition | null | InferError {
  if (tools.length === 0 || toolChoice === 'none') return null;
  if (typeof toolChoice === 'object' && toolChoice !== null) {
    const named = tools.find((t) => t.function.name === toolChoice.function.name);
    return named ?? toolError(`Tool choice '${toolChoice.function.name}' not found in the tools`);
  }
  const userText = lastUserText(messages);
  const best = bestTool(tools, userText);
  if (toolChoice === 'required') return best.score > 0 ? best.tool : tools[promptHash % tools.length]!;
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') return null;
  return best.score >= 2 ? best.tool : null;
}

/** The call itself: a stable id, schema-shaped arguments, optionally cut short (malformed fault). */
export function planToolCall(
  tool: ToolDefinition,
  messages: readonly ChatMessage[],
  seed: number,
  malformed: boolean,
): ToolCallPlan {
  const hintText = lastUserText(messages);
  const callSeed = hashSeed(seed, tool.function.name, hintText);
  const args = sampleArguments(tool.function.parameters, { rng: createSimRng(callSeed), hintText });
  const json = JSON.stringify(args);
  // Cutting 40% off the end of an object's JSON always leaves it unparseable.
  const argumentsJson = malformed ? json.slice(0, Math.max(1, Math.floor(json.length * 0.6))) : json;
  return { id: `call_${callSeed.toString(16).padStart(8, '0')}`, name: tool.function.name, argumentsJson };
}
