import type { ConversationPlan, Exchange, Workload } from './workload.ts';

/** A conversation in progress: its plan, the turns done so far and the history a stateless target needs. */
export interface Conversation {
  plan: ConversationPlan;
  /** Turns sent so far (successful or not); the next turn is number turnsSent + 1. */
  turnsSent: number;
  history: Exchange[];
}

/**
 * Hands turn-per-iteration executors the conversation their next turn belongs to. Closed models
 * (a VU is a user) keep one conversation per VU until its turns are used up; open models take the
 * conversation idle longest, else start a new one, so the request rate stays the executor's while
 * sessions still have several turns and history. A conversation never has two turns in flight.
 */
export class SessionBook {
  private nextIndex = 0;
  private readonly byVu = new Map<string, Conversation>();
  private readonly idle: Conversation[] = [];

  constructor(private readonly workload: Workload) {}

  /** A fresh conversation (session-arrivals run one per iteration). */
  open(): Conversation {
    return { plan: this.workload.conversation(this.nextIndex++), turnsSent: 0, history: [] };
  }

  get conversationsOpened(): number {
    return this.nextIndex;
  }

  /** The conversation for the next turn: by VU key for closed models, from the idle pool when null. */
  checkout(vuKey: string | null): Conversation {
    if (vuKey !== null) {
      const own = this.byVu.get(vuKey);
      if (own && own.turnsSent < own.plan.turns) return own;
      const fresh = this.open();
      this.byVu.set(vuKey, fresh);
      return fresh;
    }
    return this.idle.shift() ?? this.open();
  }

  /**
   * Returns a conversation after a turn; `exchange` is null when the turn failed (history unchanged).
   * `shared`: an open-model conversation, back to the idle pool while it has turns left.
   */
  checkin(conversation: Conversation, exchange: Exchange | null, shared: boolean): void {
    conversation.turnsSent++;
    if (exchange) conversation.history.push(exchange);
    if (shared && conversation.turnsSent < conversation.plan.turns) this.idle.push(conversation);
  }
}
