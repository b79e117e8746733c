import { connect } from 'node:net';
import { startModelServer, type ModelServerHandle } from '../../../reference-service/model-server/index.ts';
import type { ModelServerOptions } from '../../../reference-service/model-server/options.ts';
import type { PerfModel, Profile, StepInput } from '../../../reference-service/model-server/perf-types.ts';

/**
 * A PerfModel test double: fixed, tiny step times and small token limits, so tests exercise the
 * scheduler in milliseconds. EOS is far away by default, so output lengths follow max_new_tokens.
 */
export interface FakePerfOptions {
  stepMs?: number | ((input: StepInput) => number);
  kvCapacityTokens?: number;
  maxBatchPrefillTokens?: number;
  maxTotalTokens?: number;
  maxInputTokens?: number;
  eosLength?: Profile['eosLength'];
}

export function makeProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    name: 'tiny-test@fake',
    model: {
      id: 'agentload/tiny-test',
      paramsB: 1,
      layers: 4,
      hiddenSize: 256,
      heads: 4,
      kvHeads: 4,
      headDim: 64,
      ffnSize: 1024,
      vocabSize: 32000,
      bytesPerParam: 2,
      maxPositionEmbeddings: 4096,
    },
    gpu: { name: 'fake', memoryGB: 1, hbmBandwidthGBps: 1000, bf16Tflops: 100 },
    tensorParallel: 1,
    efficiency: { mbu: 0.7, mfu: 0.6, stepOverheadMs: 0 },
    eosLength: { medianTokens: 1_000_000, sigma: 0 },
    loadTimeSec: 0,
    ...overrides,
  };
}

export function fakePerfModel(options: FakePerfOptions = {}): PerfModel {
  const step = options.stepMs ?? 1;
  const maxTotalTokens = options.maxTotalTokens ?? 4096;
  return {
    profile: makeProfile(options.eosLength ? { eosLength: options.eosLength } : {}),
    stepMs: typeof step === 'number' ? () => step : step,
    kvCapacityTokens: options.kvCapacityTokens ?? 100_000,
    maxBatchPrefillTokens: options.maxBatchPrefillTokens ?? 4096,
    maxTotalTokens,
    maxInputTokens: options.maxInputTokens ?? maxTotalTokens - 1,
    kvBytesPerToken: 1024,
  };
}

export type TestServerOptions = ModelServerOptions & { perf?: FakePerfOptions };

/** A server on port 0, no cold start, fake PerfModel; closed by the caller (use `afterEach`). */
export function startTestServer(options: TestServerOptions = {}): Promise<ModelServerHandle> {
  const { perf, ...rest } = options;
  return startModelServer({ port: 0, loadTimeSec: 0, perfModel: fakePerfModel(perf), ...rest });
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE response, in order, read with a plain stream reader. */
export async function readSseData(response: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const data of sseEvents(response)) out.push(data);
  return out;
}

export async function* sseEvents(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5))
        .join('\n');
      if (data.length > 0) yield data;
      end = buffer.indexOf('\n\n');
    }
  }
}

/**
 * Opens a /generate_stream request that holds a permit until `release()` aborts it. Without
 * max_new_tokens it fills the context window, so it outlasts the test on a slow enough fake step.
 */
export async function holdStream(url: string): Promise<{ release(): void }> {
  const controller = new AbortController();
  await fetch(`${url}/generate_stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: 'hold' }),
    signal: controller.signal,
  });
  // The body stays unread: cancelling it would close the stream and free the permit.
  return { release: () => controller.abort() };
}

/** Whether a fresh TCP connection to 127.0.0.1:port is refused (nothing listening). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(true);
      else reject(error);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every few ms until it holds (or fails after timeoutMs). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}
