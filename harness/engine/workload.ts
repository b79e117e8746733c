import type { TargetKind, WorkloadSpec } from '../config/scenario-schema.ts';
import { InvalidConfigError } from '../errors.ts';
import type { Tenant } from '../stack/types.ts';
import type { TurnRequest } from './client/index.ts';
import { composePrompt } from './corpus.ts';
import { sampleInt, sample } from './distribution.ts';
import type { Rng } from './rng.ts';

/**
 * What the load says (executors say when): seeded conversations with their tenant and length, and
 * turns with their prompt, max_tokens and whether they should make the model call a tool. Every
 * draw comes from an RNG forked by conversation index and turn number, so conversation 17 reads the
 * same in every run with the same seed, whatever the timing.
 */
export interface ConversationPlan {
  index: number;
  sessionId: string;
  tenant: Tenant;
  turns: number;
}

export interface TurnPlan {
  conversation: ConversationPlan;
  /** 1-based. */
  turn: number;
  message: string;
  /** Tokens of `message` under docs/model-server-api.md's counting rule. */
  messageTokens: number;
  maxTokens: number;
  usesTool: boolean;
  /** Think time before this turn, after the previous one ended; 0 for the first turn. */
  thinkTimeMs: number;
}

/** One finished exchange, replayed as history to conversational targets without server state. */
export interface Exchange {
  user: string;
  assistant: string;
}

/**
 * Prompt leads that make the model call a tool. The reference model server (tool_choice "auto")
 * calls the tool whose name parts (search, knowledge, weather, order, lookup) appear among the
 * words of the last user message (docs/model-server-api.md, "Tool calls"); a real model takes the
 * same hint. The filler corpus uses none of those words nor two of the tools' description keywords,
 * so turns without a lead answer in text.
 */
export const TOOL_LEADS = [
  'Search the knowledge base for the returns policy.',
  'What is the weather in Lisbon right now?',
  'Check the status of order ORD-10442.',
];

const PATHS: Record<TargetKind, string> = {
  agent: '/v1/sessions/{session}/turns',
  'openai-chat': '/v1/chat/completions',
  'tgi-generate-stream': '/generate_stream',
};

export class Workload {
  private readonly tenants: readonly Tenant[];
  private readonly weights: readonly number[];

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly rng: Rng,
    tenants: readonly Tenant[],
    private readonly runId: string,
  ) {
    const mix = spec.tenants;
    if (tenants.length === 0) {
      throw new InvalidConfigError(
        'stack',
        [{ path: 'tenants', message: 'the target has no tenants (API keys)' }],
        'Pass --api-key, or start a stack that defines tenants.',
      );
    }
    if (!mix) {
      this.tenants = tenants;
      this.weights = tenants.map(() => 1);
      return;
    }
    const unknown = Object.keys(mix).filter((name) => !tenants.some((t) => t.name === name));
    if (unknown.length > 0) {
      throw new InvalidConfigError(
        'scenario',
        unknown.map((name) => ({
          path: `workload.tenants.${name}`,
          message: `no tenant "${name}" in the stack`,
        })),
        `The stack's tenants are: ${tenants.map((t) => t.name).join(', ')}.`,
      );
    }
    this.tenants = tenants.filter((t) => mix[t.name] !== undefined);
    this.weights = this.tenants.map((t) => mix[t.name]!);
  }

  get target(): TargetKind {
    return this.spec.target;
  }

  conversation(index: number): ConversationPlan {
    const rng = this.rng.fork(`conversation:${index}`);
    return {
      index,
      sessionId: `${this.runId}-s${index}`,
      tenant: this.tenants[rng.weightedIndex(this.weights)]!,
      turns: sampleInt(this.spec.turnsPerSession, rng, 1),
    };
  }

  turn(conversation: ConversationPlan, turn: number): TurnPlan {
    const rng = this.rng.fork(`conversation:${conversation.index}:turn:${turn}`);
    const usesTool = rng.next() < this.spec.toolFraction;
    const lead = usesTool ? TOOL_LEADS[Math.floor(rng.next() * TOOL_LEADS.length)]! : '';
    const messageTokens = sampleInt(this.spec.inputTokens, rng, 1);
    const message = composePrompt(rng, messageTokens, lead);
    return {
      conversation,
      turn,
      message,
      messageTokens: Math.max(messageTokens, message.length > 0 ? 1 : 0),
      maxTokens: sampleInt(this.spec.maxTokens, rng, 1),
      usesTool,
      thinkTimeMs: turn === 1 ? 0 : Math.max(0, sample(this.spec.thinkTimeSec, rng) * 1000),
    };
  }

  /** The HTTP request for a turn on this workload's target. */
  request(plan: TurnPlan, history: readonly Exchange[]): Omit<TurnRequest, 'scheduledAtMs' | 'signal'> {
    const { conversation: c } = plan;
    const headers: Record<string, string> = {
      'x-request-id': `${c.sessionId}-t${plan.turn}`,
    };
    if (c.tenant.apiKey) headers.authorization = `Bearer ${c.tenant.apiKey}`;
    const path = (this.spec.path ?? PATHS[this.spec.target]).replace(
      '{session}',
      encodeURIComponent(c.sessionId),
    );
    switch (this.spec.target) {
      case 'agent':
        return {
          protocol: 'agent',
          path,
          headers,
          body: { message: plan.message, max_tokens: plan.maxTokens, stream: this.spec.stream },
        };
      case 'openai-chat':
        return {
          protocol: 'openai-chat',
          path,
          headers,
          body: {
            model: this.spec.model,
            messages: [
              ...history.flatMap((e) => [
                { role: 'user', content: e.user },
                { role: 'assistant', content: e.assistant },
              ]),
              { role: 'user', content: plan.message },
            ],
            max_tokens: plan.maxTokens,
            stream: this.spec.stream,
          },
        };
      case 'tgi-generate-stream':
        return {
          protocol: 'tgi-generate-stream',
          path,
          headers,
          body: {
            inputs: [...history.flatMap((e) => [e.user, e.assistant]), plan.message].join('\n'),
            parameters: { max_new_tokens: plan.maxTokens },
          },
        };
    }
  }
}
