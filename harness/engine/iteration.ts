import type { RequestSample } from '../results/schema.ts';
import type { TurnClient, TurnResult } from './client/index.ts';
import type { Clock } from './clock.ts';
import type { IterationContext } from './executors/types.ts';
import type { SessionLedger } from './ledger.ts';
import type { Conversation, SessionBook } from './session-book.ts';
import type { TurnPlan, Workload } from './workload.ts';

export interface TurnSenderDeps {
  clock: Clock;
  client: TurnClient;
  workload: Workload;
  /** Receives every sample except turns cut off by the engine itself (gracefulStop, abort). */
  record: (sample: RequestSample) => void;
  /** Acknowledged turns of agent targets; null when the target keeps no sessions. */
  ledger: SessionLedger | null;
  /** Phase current at a scheduled time. */
  phaseAt: (tMs: number) => string | null;
  /** Cut-off turns: counted, not recorded (k6 "interrupted iterations"). */
  onInterrupted: () => void;
}

export interface TurnOutcome {
  result: TurnResult;
  /** The engine cut it off; nothing was recorded. */
  interrupted: boolean;
}

/** Sends one turn of a conversation and turns the client's result into a RequestSample. */
export class TurnSender {
  private readonly replayHistory: boolean;

  constructor(private readonly deps: TurnSenderDeps) {
    this.replayHistory = deps.workload.target !== 'agent';
  }

  /**
   * The plan of `conversation`'s next turn. Drawing it forks an RNG and composes the prompt, so a
   * caller that needs it before sending (think time) passes the same plan to send().
   */
  nextTurn(conversation: Conversation): TurnPlan {
    return this.deps.workload.turn(conversation.plan, conversation.turnsSent + 1);
  }

  async send(
    conversation: Conversation,
    plan: TurnPlan,
    scheduledAtMs: number,
    signal: AbortSignal,
  ): Promise<TurnOutcome> {
    const { workload, client } = this.deps;
    const turn = plan.turn;
    const request = workload.request(plan, this.replayHistory ? conversation.history : []);
    const result = await client.send({ ...request, scheduledAtMs, signal });
    const interrupted = result.errorClass === 'aborted' && signal.aborted;
    if (interrupted) {
      this.deps.onInterrupted();
      return { result, interrupted };
    }
    this.deps.record({
      scheduledAtMs,
      sentAtMs: result.sentAtMs,
      firstByteMs: result.firstByteMs,
      firstTokenMs: result.firstTokenMs,
      tokenGapsMs: result.tokenGapsMs,
      endMs: result.endMs,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      tokenSource: result.tokenSource,
      status: result.status,
      errorClass: result.errorClass,
      degraded: result.degraded,
      tenant: conversation.plan.tenant.name,
      session: conversation.plan.sessionId,
      turn,
      replica: result.replica,
      phase: this.deps.phaseAt(scheduledAtMs),
    });
    if (result.errorClass === null) {
      this.deps.ledger?.acknowledge(conversation.plan.sessionId, conversation.plan.tenant, plan.message);
    }
    return { result, interrupted };
  }
}

/** One turn per iteration: closed models keep a conversation per VU, open ones share idle ones. */
export function turnIteration(
  sender: TurnSender,
  book: SessionBook,
  executorName: string,
  closedModel: boolean,
): (ctx: IterationContext) => Promise<void> {
  return async (ctx) => {
    const vuKey = closedModel ? `${executorName}:${ctx.vu}` : null;
    const conversation = book.checkout(vuKey);
    const plan = sender.nextTurn(conversation);
    const { result } = await sender.send(conversation, plan, ctx.scheduledAtMs, ctx.signal);
    const exchange = result.errorClass === null ? { user: plan.message, assistant: result.text } : null;
    book.checkin(conversation, exchange, !closedModel);
  };
}

/** A whole conversation per iteration: its turns, each due think time after the previous one ended. */
export function sessionIteration(
  sender: TurnSender,
  book: SessionBook,
  clock: Clock,
): (ctx: IterationContext) => Promise<void> {
  return async (ctx) => {
    const conversation = book.open();
    let dueMs = ctx.scheduledAtMs;
    while (conversation.turnsSent < conversation.plan.turns && !ctx.signal.aborted) {
      const plan = sender.nextTurn(conversation);
      if (conversation.turnsSent > 0) {
        dueMs = clock.now() + plan.thinkTimeMs;
        await clock.sleepUntil(dueMs, ctx.signal);
        if (ctx.signal.aborted) return;
      }
      const { result, interrupted } = await sender.send(conversation, plan, dueMs, ctx.signal);
      if (interrupted) return;
      book.checkin(
        conversation,
        result.errorClass === null ? { user: plan.message, assistant: result.text } : null,
        false,
      );
    }
  };
}
