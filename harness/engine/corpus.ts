import type { Rng } from './rng.ts';

/**
 * Seeded prompt text. Every word has at most eight ASCII letters and sentences end in one
 * punctuation mark, so under a BPE-like tokenizer (and exactly under the reference model server's,
 * docs/model-server-api.md "How tokens are counted") a word is one token and so is each mark:
 * countPromptTokens() then predicts the server's prompt_tokens for the user message. The words
 * avoid the reference tools' names and description keywords (workload.ts TOOL_LEADS), so filler
 * alone never makes the model call a tool.
 */
const SUBJECTS = (
  'the agent|our service|the cluster|each replica|the planner|a tenant|the gateway|the model|' +
  'the queue|this region|the batch|the cache|the team|a customer|the backend|the router'
).split('|');

const VERBS = (
  'reports|measures|handles|drops|retries|streams|stores|routes|limits|shapes|scales|checks|' +
  'serves|reads|writes|buffers|splits|merges|tracks|compares'
).split('|');

const OBJECTS = (
  'the tokens|every request|long prompts|short answers|the latency|peak traffic|the backlog|' +
  'old sessions|the budget|each turn|the capacity|cold starts|slow replies|the headroom|' +
  'the outage|fresh data|the error rate|the weekly load|the tail|open circuits'
).split('|');

const TAILS = (
  'during the night|after a restart|at the weekly peak|under steady load|behind the balancer|' +
  'in the east zone|before the deadline|while the cache warms|with a small batch|for every tenant|' +
  'when demand spikes|across two zones|inside the window|after the rollout'
).split('|');

const QUESTIONS = [
  'How should we size it',
  'What does that mean for the plan',
  'Can you explain why',
  'What would you change first',
  'Is that a risk',
  'How much headroom is left',
];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)]!;
}

function sentence(rng: Rng): string {
  const words = `${pick(rng, SUBJECTS)} ${pick(rng, VERBS)} ${pick(rng, OBJECTS)} ${pick(rng, TAILS)}`;
  return words.charAt(0).toUpperCase() + words.slice(1) + '.';
}

/** Tokens of prompt text: letter runs of up to 8 are one token, every other non-space char one. */
export function countPromptTokens(text: string): number {
  let tokens = 0;
  for (const run of text.match(/[A-Za-z]+|[^\sA-Za-z]/g) ?? []) {
    tokens += /^[A-Za-z]/.test(run) ? Math.ceil(run.length / 8) : 1;
  }
  return tokens;
}

/**
 * A prompt of exactly `tokens` tokens (at least the lead's), starting with `lead` and ending with a
 * question, filled with seeded sentences and cut at a word boundary.
 */
export function composePrompt(rng: Rng, tokens: number, lead = ''): string {
  const question = `${pick(rng, QUESTIONS)}?`;
  const reserved = countPromptTokens(lead) + countPromptTokens(question);
  const budget = tokens - reserved;
  const words: string[] = [];
  let count = 0;
  for (let added = true; added && count < budget;) {
    added = false;
    for (const word of sentence(rng).split(' ')) {
      const t = countPromptTokens(word);
      if (count + t > budget) break;
      words.push(word);
      count += t;
      added = true;
    }
  }
  // A cut that lands between "words" and a period can leave count short by one: pad with "and".
  while (count < budget) {
    words.push('and');
    count++;
  }
  return [lead, words.join(' '), question].filter((s) => s.length > 0).join(' ');
}
