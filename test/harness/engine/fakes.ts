import type { TurnClient, TurnRequest, TurnResult } from '../../../harness/engine/client/index.ts';
import type { Clock } from '../../../harness/engine/clock.ts';
import type { RunTarget } from '../../../harness/engine/runner.ts';
import type { ComponentInfo, StackControl } from '../../../harness/stack/types.ts';

export interface FakeTurn {
  request: TurnRequest;
  result: TurnResult;
}

/** A client that answers after `serviceMs` of clock time, failing while `failing()` says so. */
export function fakeClient(
  clock: Clock,
  options: { serviceMs?: (req: TurnRequest) => number; failing?: () => boolean; tokens?: number } = {},
): TurnClient & { turns: FakeTurn[] } {
  const turns: FakeTurn[] = [];
  return {
    turns,
    async send(request) {
      const sentAtMs = clock.now();
      const failing = options.failing?.() ?? false;
      const serviceMs = failing ? 5 : (options.serviceMs?.(request) ?? 100);
      await clock.sleepUntil(sentAtMs + serviceMs, request.signal);
      const aborted = request.signal?.aborted ?? false;
      const endMs = clock.now();
      const tokens = options.tokens ?? 4;
      const ok = !aborted && !failing;
      const result: TurnResult = {
        sentAtMs,
        firstByteMs: ok ? sentAtMs + 1 : null,
        firstTokenMs: ok ? sentAtMs + serviceMs / 2 : null,
        tokenGapsMs: ok ? Array.from({ length: tokens - 1 }, () => serviceMs / 2 / (tokens - 1)) : [],
        endMs,
        inputTokens: 10,
        outputTokens: ok ? tokens : 0,
        tokenSource: 'usage',
        status: aborted ? 0 : failing ? 503 : 200,
        errorClass: aborted ? 'aborted' : failing ? 'http_5xx' : null,
        degraded: false,
        replica: 'agent-0',
        text: ok ? 'an answer' : '',
        retryAfterSec: null,
        errorMessage: ok ? null : 'failed',
        finishReason: ok ? 'stop' : null,
      };
      turns.push({ request, result });
      return result;
    },
    stats: () => ({ running: 0, pending: 0, connected: 1 }),
    close: async () => {},
  };
}

/** A StackControl that only records what it was asked, with the clock time of each call. */
export function fakeControl(clock: Clock): StackControl & { calls: { atMs: number; call: string }[] } {
  const calls: { atMs: number; call: string }[] = [];
  const components: ComponentInfo[] = [
    { id: 'agent-0', kind: 'agent', url: 'http://127.0.0.1:1', pid: null, state: 'running' },
    { id: 'model-0', kind: 'model', url: 'http://127.0.0.1:2', pid: null, state: 'running' },
    { id: 'redis', kind: 'redis', url: 'redis://127.0.0.1:3', pid: null, state: 'running' },
  ];
  const log = (call: string) => calls.push({ atMs: clock.now(), call });
  return {
    calls,
    list: () => components,
    kill: async (id) => void log(`kill ${id}`),
    pause: async (id) => void log(`pause ${id}`),
    resume: async (id) => void log(`resume ${id}`),
    restart: async (id, o) => void log(`restart ${id} ${o?.loadTimeSec ?? ''}`.trim()),
    removeReplica: async (id) => void log(`removeReplica ${id}`),
    addReplica: async (kind) => {
      log(`addReplica ${kind}`);
      return { id: `${kind}-9`, kind, url: 'http://127.0.0.1:4', pid: null, state: 'loading' };
    },
  };
}

export function fakeTarget(control: StackControl | null = null): RunTarget {
  return {
    baseUrl: 'http://127.0.0.1:9',
    tenants: [
      { name: 'acme', apiKey: 'key-acme' },
      { name: 'globex', apiKey: 'key-globex' },
    ],
    metricsUrls: [],
    control,
    adminToken: null,
    stack: {
      kind: 'local',
      profile: null,
      agentReplicas: 1,
      modelReplicas: 1,
      gpusPerModelReplica: 1,
      modelServer: 'sim',
      inMemoryState: true,
    },
  };
}
