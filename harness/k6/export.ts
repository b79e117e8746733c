/**
 * `agentload export k6`: a scenario as a k6 script for a k6 built with xk6-sse. The script is
 * runtime.k6.js (the streaming client, metrics and workload generator, plain JS type-checked
 * against @types/k6) with the scenario baked in: its k6 options (k6-options.ts) and a SPEC
 * constant holding the workload, phases and SLO. Metric names are docs/metrics.md's, so thresholds
 * read the same, and each request leaves one `agentload_requests` point whose metadata is its
 * RequestSample: `agentload ingest k6` turns the run back into agentload results.
 */
import { readFile } from 'node:fs/promises';
import { formatDurationMs } from '../config/duration.ts';
import type { Scenario } from '../config/scenario-schema.ts';
import { formatPath, HarnessError } from '../errors.ts';
import { TOOL_LEADS } from '../engine/workload.ts';
import { k6Options, type VuSizing } from './k6-options.ts';
import { k6OptionsSchema, type K6Options } from './options-schema.ts';

/** The k6 and xk6-sse releases the script is written for (see the header it gets). */
export const K6_TARGET = {
  k6: 'v2.2.0',
  xk6Sse: 'v0.2.0',
  k6V1: 'v1.8.1',
  xk6SseForV1: 'v0.1.12',
} as const;

export interface ExportOptions {
  /** Expected seconds per request, for VU sizing; default slo.e2eMs, else 10. */
  e2eSec?: number;
  /** Multiplies the Little's-law VU count; default 1.5. */
  safetyFactor?: number;
  /** Target when AGENTLOAD_TARGET is unset; default http://127.0.0.1:8080. */
  defaultTarget?: string;
  /** agentload version, for the header. */
  version?: string;
}

export interface ExportedScript {
  script: string;
  options: K6Options;
  /** What the export could not carry over (also in the script's header). */
  notes: string[];
  sizing: VuSizing;
}

/** One-token filler words (8 letters at most, none of the tools' trigger words). */
const WORDS = (
  'the agent service measures every request during peak traffic and the planner ' +
  'reports latency budget headroom across zones while each replica streams tokens'
).split(' ');

const PATHS: Record<Scenario['workload']['target'], string> = {
  agent: '/v1/sessions/{session}/turns',
  'openai-chat': '/v1/chat/completions',
  'tgi-generate-stream': '/generate_stream',
};

function specOf(scenario: Scenario, defaultTarget: string) {
  const w = scenario.workload;
  return {
    name: scenario.name,
    seed: scenario.seed,
    target: w.target,
    model: w.model,
    path: w.path ?? PATHS[w.target],
    requestTimeout: formatDurationMs(w.requestTimeoutMs),
    defaultTarget,
    inputTokens: w.inputTokens,
    maxTokens: w.maxTokens,
    toolFraction: w.toolFraction,
    turnsPerSession: w.turnsPerSession,
    thinkTimeSec: w.thinkTimeSec,
    tenants: w.tenants ?? null,
    toolLeads: TOOL_LEADS,
    words: WORDS,
    phases: scenario.phases.map((p) => ({ name: p.name, atMs: p.atMs })),
    startTimeMs: Object.fromEntries(Object.entries(scenario.executors).map(([n, c]) => [n, c.startTimeMs])),
    slo: {
      ttftMs: scenario.slo.ttftMs ?? null,
      itlMs: scenario.slo.itlMs ?? null,
      e2eMs: scenario.slo.e2eMs ?? null,
    },
  };
}

function header(scenario: Scenario, notes: readonly string[], sizing: VuSizing, version: string): string {
  const lines = [
    `agentload k6 export of scenario "${scenario.name}" (agentload ${version}, seed ${scenario.seed}).`,
    scenario.description,
    '',
    `Targets k6 ${K6_TARGET.k6} with the xk6-sse extension ${K6_TARGET.xk6Sse} (k6 ${K6_TARGET.k6V1}: xk6-sse ${K6_TARGET.xk6SseForV1}).`,
    'Plain k6 cannot read a streamed body; build a k6 with SSE (Go >= 1.25):',
    '  go install go.k6.io/xk6@latest',
    `  xk6 build ${K6_TARGET.k6} --with github.com/phymbert/xk6-sse@${K6_TARGET.xk6Sse} --output ./k6`,
    '(or on k6 >= 1.2 with network access, automatic extension resolution fetches it on `k6 run`).',
    '',
    'Run: AGENTLOAD_TARGET=http://agent:8080 AGENTLOAD_API_KEY=<key> ./k6 run --out json=k6.json.gz <this file>',
    '     (AGENTLOAD_API_KEYS=tenant=key,... for several tenants), then: agentload ingest k6 k6.json.gz',
    'Split: ./k6 run --execution-segment 0:1/2 --execution-segment-sequence 0,1/2,1 ... on each machine',
    '(thresholds are then per instance: judge them on the merged results, agentload ingest k6 a.json b.json).',
    '',
    `VUs: preAllocatedVUs = ceil(peak iterations/s x seconds per iteration x ${sizing.safetyFactor}) (Little's law;`,
    `an xk6-sse stream holds its VU), with ${sizing.e2eSec} s expected per request.`,
    'Metrics (docs/metrics.md): ttft_ms, first_byte_ms, itl_ms, tpot_ms, e2e_ms (Trends), http_req_failed,',
    'degraded_rate (Rates), output_tokens, input_tokens, content_chunks, good_requests (Counters).',
  ];
  if (scenario.faults.length > 0) {
    lines.push(
      '',
      `Fault timeline: this scenario's ${scenario.faults.length} fault(s) (${scenario.faults.map((f) => f.action).join(', ')})`,
      'act on a stack agentload controls and cannot be driven from k6; they are left out.',
      'Inject them by hand (kubectl delete pod, the admin APIs) at the same times if you need them.',
    );
  }
  if (notes.length > 0) lines.push('', 'Not carried over exactly:', ...notes.map((n) => `- ${n}`));
  return lines.map((l) => (l === '' ? '//' : `// ${l}`)).join('\n');
}

/** @throws HarnessError when the generated options break k6's rules (a bug in the export). */
export async function exportK6Script(scenario: Scenario, opts: ExportOptions = {}): Promise<ExportedScript> {
  const sizing: VuSizing = {
    e2eSec: opts.e2eSec ?? (scenario.slo.e2eMs !== undefined ? scenario.slo.e2eMs / 1000 : 10),
    safetyFactor: opts.safetyFactor ?? 1.5,
  };
  const { options, notes } = k6Options(scenario, sizing);
  if (!scenario.workload.stream) notes.push('workload.stream is false; the k6 script always streams');
  const checked = k6OptionsSchema.safeParse(options);
  if (!checked.success) {
    throw new HarnessError(
      `the k6 options exported for ${scenario.name} break k6's rules: ${checked.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`,
    );
  }
  const runtime = await readFile(new URL('./runtime.k6.js', import.meta.url), 'utf8');
  const spec = JSON.stringify(specOf(scenario, opts.defaultTarget ?? 'http://127.0.0.1:8080'), null, 2);
  const script = runtime
    .replace('// @agentload:header', header(scenario, notes, sizing, opts.version ?? '0.0.0'))
    .replace(
      /\/\/ @agentload:spec-begin\n[\s\S]*?\/\/ @agentload:spec-end/,
      () => `/** @type {Spec} */\nconst SPEC = ${spec};`,
    )
    .replace(
      /\/\/ @agentload:options-begin\n[\s\S]*?\/\/ @agentload:options-end/,
      () => `export const options = ${JSON.stringify(options, null, 2)};`,
    );
  if (script.includes('@agentload:'))
    throw new HarnessError('runtime.k6.js lost a placeholder the export fills in');
  return { script, options, notes, sizing };
}
