/**
 * A small discrete simulation of TGI's continuous batching, driven by PerfModel.stepMs, used only
 * to turn the perf model into the figures benchmarks publish (ITL, TTFT, throughput at a given
 * concurrency). It is not the server's scheduler; it keeps the parts that shape those figures:
 * - N closed-loop clients with zero think time: a finished request is replaced at once.
 * - FIFO admission with head-of-line stop; each admitted request reserves input + output tokens
 *   of KV (TGI reserves input + min(max_new_tokens, 1024); the anchors ask for <= 2000).
 * - Chunked prefill riding with decode: per step the prefill budget is max_batch_prefill_tokens
 *   minus the decode tokens of the step; unfinished prompts continue first, then new ones.
 * - The step that finishes a prompt also emits its first token (TTFT); every later step emits
 *   one token per decoding request.
 * Identical requests started together would stay in lockstep forever (all prefilling in the same
 * step), which real clients never do; `staggerMs` spreads the clients' first arrivals evenly.
 * Everything is deterministic: lengths come from lengths.ts, not from an RNG.
 */
import type { PerfModel } from '../perf-types.ts';
import type { RequestLengths } from './lengths.ts';

export interface ClosedLoopOptions {
  model: PerfModel;
  /** Clients, each with one request in flight. */
  concurrency: number;
  /** Lengths of the i-th request issued. */
  lengths: (index: number) => RequestLengths;
  /** Stop after this many completions; `concurrency` gives one batch with no replacement. */
  totalRequests: number;
  /** Completions ignored before steady-state figures are taken (0 for batch runs). */
  warmupRequests: number;
  /** First arrivals spread evenly over [0, staggerMs); 0 = all at time 0. */
  staggerMs?: number;
  /** Cap on running requests (vLLM's max_num_seqs); TGI has none. */
  maxRunning?: number;
  /** Bound on simulated steps, so a bad input cannot loop for long. */
  maxSteps?: number;
}

export interface ClosedLoopResult {
  meanTtftMs: number;
  /** (e2e - TTFT) / (output - 1), averaged over measured requests with output > 1 (AIPerf's ITL). */
  meanItlMs: number;
  /** Output tokens per second over the measured window. */
  outputTokensPerSec: number;
  requestsPerSec: number;
  /** Time of the last completion. */
  makespanMs: number;
  completed: number;
  /** False when a request cannot fit the KV cache at all or maxSteps ran out. */
  finished: boolean;
}

interface SimRequest extends RequestLengths {
  arrivalMs: number;
  prefilled: number;
  generated: number;
  firstTokenMs: number;
}

interface Completion {
  arrivalMs: number;
  firstTokenMs: number;
  endMs: number;
  outputTokens: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

function summarize(completions: Completion[], warmupRequests: number, finished: boolean): ClosedLoopResult {
  const measured = completions.slice(warmupRequests);
  const windowStartMs = warmupRequests > 0 ? (completions[warmupRequests - 1]?.endMs ?? 0) : 0;
  const makespanMs = completions.at(-1)?.endMs ?? 0;
  const windowMs = Math.max(makespanMs - windowStartMs, Number.EPSILON);
  const outputTokens = measured.reduce((sum, c) => sum + c.outputTokens, 0);
  return {
    meanTtftMs: mean(measured.map((c) => c.firstTokenMs - c.arrivalMs)),
    meanItlMs: mean(
      measured
        .filter((c) => c.outputTokens > 1)
        .map((c) => (c.endMs - c.firstTokenMs) / (c.outputTokens - 1)),
    ),
    outputTokensPerSec: (outputTokens * 1000) / windowMs,
    requestsPerSec: (measured.length * 1000) / windowMs,
    makespanMs,
    completed: completions.length,
    finished,
  };
}

/** One forward step's plan: which prompts get how many tokens, and the step's StepInput. */
function planStep(running: SimRequest[], budgetTokens: number) {
  const decoding = running.filter((r) => r.prefilled === r.inputTokens);
  let budget = Math.max(0, budgetTokens - decoding.length);
  const chunks = new Map<SimRequest, number>();
  let prefillTokens = 0;
  let prefillContextTokens = 0;
  for (const r of running) {
    if (r.prefilled === r.inputTokens || budget === 0) continue;
    const chunk = Math.min(r.inputTokens - r.prefilled, budget);
    chunks.set(r, chunk);
    budget -= chunk;
    prefillTokens += chunk;
    prefillContextTokens += r.prefilled;
  }
  const decodeContextTokens = decoding.reduce((sum, r) => sum + r.inputTokens + r.generated, 0);
  const input = {
    decodeSeqs: decoding.length,
    decodeContextTokens,
    prefillTokens,
    prefillContextTokens,
    prefillSeqs: chunks.size,
  };
  return { decoding, chunks, input };
}

/** Keeps the queue in arrival order (staggered first arrivals may still lie ahead of `now`). */
function enqueue(queue: SimRequest[], request: SimRequest): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1]!.arrivalMs > request.arrivalMs) i--;
  queue.splice(i, 0, request);
}

export function runClosedLoop(opts: ClosedLoopOptions): ClosedLoopResult {
  const { model } = opts;
  const maxRunning = opts.maxRunning ?? Number.POSITIVE_INFINITY;
  const maxSteps = opts.maxSteps ?? 2_000_000;
  const staggerMs = opts.staggerMs ?? 0;
  let issued = 0;
  const issue = (arrivalMs: number): SimRequest => ({
    ...opts.lengths(issued++),
    arrivalMs,
    prefilled: 0,
    generated: 0,
    firstTokenMs: 0,
  });

  const queue: SimRequest[] = [];
  const clients = Math.min(opts.concurrency, opts.totalRequests);
  for (let i = 0; i < clients; i++) queue.push(issue((i * staggerMs) / clients));
  const running: SimRequest[] = [];
  const completions: Completion[] = [];
  let kvReservedTokens = 0;
  let nowMs = 0;
  for (let steps = 0; completions.length < opts.totalRequests && steps < maxSteps; steps++) {
    const head = () => queue[0];
    for (let h = head(); h && h.arrivalMs <= nowMs && running.length < maxRunning; h = head()) {
      const reserve = h.inputTokens + h.outputTokens;
      if (reserve > model.kvCapacityTokens) return summarize(completions, opts.warmupRequests, false);
      if (kvReservedTokens + reserve > model.kvCapacityTokens) break;
      kvReservedTokens += reserve;
      running.push(queue.shift()!);
    }
    if (running.length === 0) {
      nowMs = Math.max(nowMs, head()?.arrivalMs ?? nowMs);
      continue;
    }
    const { decoding, chunks, input } = planStep(running, model.maxBatchPrefillTokens);
    nowMs += model.stepMs(input);
    for (const r of decoding) r.generated += 1;
    for (const [r, chunk] of chunks) {
      r.prefilled += chunk;
      if (r.prefilled === r.inputTokens) {
        r.generated = 1;
        r.firstTokenMs = nowMs;
      }
    }
    for (let i = 0; i < running.length; i++) {
      const r = running[i]!;
      if (r.generated < r.outputTokens) continue;
      running.splice(i--, 1);
      kvReservedTokens -= r.inputTokens + r.outputTokens;
      completions.push({
        arrivalMs: r.arrivalMs,
        firstTokenMs: r.firstTokenMs,
        endMs: nowMs,
        outputTokens: r.outputTokens,
      });
      if (issued < opts.totalRequests) enqueue(queue, issue(nowMs));
    }
  }
  return summarize(completions, opts.warmupRequests, completions.length >= opts.totalRequests);
}
