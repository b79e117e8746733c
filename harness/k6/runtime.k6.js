// @agentload:header
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import sse from 'k6/x/sse';

/**
 * @typedef {{ kind: 'fixed', value: number }
 *   | { kind: 'uniform', min: number, max: number }
 *   | { kind: 'normal', mean: number, stddev: number, min?: number, max?: number }
 *   | { kind: 'lognormal', median: number, sigma: number, min?: number, max?: number }} Distribution
 * @typedef {{
 *   name: string, seed: number, target: 'agent' | 'openai-chat' | 'tgi-generate-stream',
 *   model: string, path: string, requestTimeout: string, defaultTarget: string,
 *   inputTokens: Distribution, maxTokens: Distribution, toolFraction: number,
 *   turnsPerSession: Distribution, thinkTimeSec: Distribution, tenants: Record<string, number> | null,
 *   toolLeads: string[], words: string[], phases: { name: string, atMs: number }[],
 *   startTimeMs: Record<string, number>,
 *   slo: { ttftMs: number | null, itlMs: number | null, e2eMs: number | null }
 * }} Spec
 * @typedef {{ name: string, apiKey: string, weight: number }} Tenant
 * @typedef {{ user: string, assistant: string }} Exchange
 * @typedef {{ id: string, tenant: Tenant, turns: number, sent: number, history: Exchange[], rng: () => number }} Conversation
 * @typedef {{
 *   firstByteAt: number, firstTokenAt: number, lastTokenAt: number, gapsMs: number[], chunks: number,
 *   text: string, usageOut: number, usageIn: number, degraded: boolean, done: boolean, error: string
 * }} Stream
 */

/** Baked in by `agentload export k6`: the scenario's workload, phases and SLO. */
// @agentload:spec-begin
/** @type {Spec} */
const SPEC = {
  name: 'template',
  seed: 1,
  target: 'agent',
  model: 'agentload-sim',
  path: '/v1/sessions/{session}/turns',
  requestTimeout: '60s',
  defaultTarget: 'http://127.0.0.1:8080',
  inputTokens: { kind: 'fixed', value: 32 },
  maxTokens: { kind: 'fixed', value: 32 },
  toolFraction: 0,
  turnsPerSession: { kind: 'fixed', value: 1 },
  thinkTimeSec: { kind: 'fixed', value: 0 },
  tenants: null,
  toolLeads: [],
  words: ['load'],
  phases: [],
  startTimeMs: {},
  slo: { ttftMs: null, itlMs: null, e2eMs: null },
};
// @agentload:spec-end

// @agentload:options-begin
export const options = {};
// @agentload:options-end

const BASE_URL = String(__ENV.AGENTLOAD_TARGET || SPEC.defaultTarget).replace(/\/+$/, '');
const RUN_ID = __ENV.AGENTLOAD_RUN_ID || `k6-${Date.now().toString(36)}`;
const TENANTS = tenantsFrom(__ENV.AGENTLOAD_API_KEYS || '', __ENV.AGENTLOAD_API_KEY || '');

// Metric names and meanings are docs/metrics.md's; times in ms from the iteration's start.
const ttftMs = new Trend('ttft_ms', true);
const firstByteMs = new Trend('first_byte_ms', true);
const itlMs = new Trend('itl_ms', true);
const tpotMs = new Trend('tpot_ms', true);
const e2eMs = new Trend('e2e_ms', true);
const failedRate = new Rate('http_req_failed');
const degradedRate = new Rate('degraded_rate');
const outputTokens = new Counter('output_tokens');
const inputTokens = new Counter('input_tokens');
const contentChunks = new Counter('content_chunks');
const goodRequests = new Counter('good_requests');
// One point per request whose metadata carries the whole RequestSample for `agentload ingest k6`.
const requestRecords = new Counter('agentload_requests');

/**
 * `AGENTLOAD_API_KEYS=tenant=key,tenant2=key2`, or one `AGENTLOAD_API_KEY` for tenant "default".
 * @param {string} list
 * @param {string} single
 * @returns {Tenant[]}
 */
function tenantsFrom(list, single) {
  /** @type {{ name: string, apiKey: string }[]} */
  const pairs = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) =>
      p.includes('=')
        ? { name: p.slice(0, p.indexOf('=')), apiKey: p.slice(p.indexOf('=') + 1) }
        : { name: 'default', apiKey: p },
    );
  const given = pairs.length > 0 ? pairs : [{ name: 'default', apiKey: single }];
  const mix = SPEC.tenants;
  const chosen = given.filter((t) => mix === null || mix[t.name] !== undefined);
  if (chosen.length === 0)
    throw new Error(`none of the tenants in AGENTLOAD_API_KEYS is in the scenario's mix`);
  return chosen.map((t) => ({ ...t, weight: mix === null ? 1 : (mix[t.name] ?? 1) }));
}

/**
 * mulberry32: a small seeded generator, so a VU's prompts repeat run to run. The same generator as
 * harness/engine/rng.ts, written again because this file is inlined into a standalone k6 script that
 * cannot import TypeScript at run time.
 * @param {number} seed
 * @returns {() => number}
 */
function rngOf(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {Distribution} dist
 * @param {() => number} rng
 * @returns {number}
 */
function draw(dist, rng) {
  /** @param {number} x @param {number | undefined} min @param {number | undefined} max */
  const clamp = (x, min, max) => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, x));
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + rng() * (dist.max - dist.min);
    case 'normal':
      return clamp(dist.mean + dist.stddev * gaussian(), dist.min, dist.max);
    case 'lognormal':
      return clamp(dist.median * Math.exp(dist.sigma * gaussian()), dist.min, dist.max);
  }
}

/**
 * A prompt of about `tokens` one-token words, led by a tool hint when the turn should call a tool.
 * @param {() => number} rng
 * @param {number} tokens
 * @param {boolean} usesTool
 */
function prompt(rng, tokens, usesTool) {
  const lead =
    usesTool && SPEC.toolLeads.length > 0 ? SPEC.toolLeads[Math.floor(rng() * SPEC.toolLeads.length)] : '';
  const words = [];
  for (let i = 0; i < Math.max(1, tokens - 1); i++)
    words.push(SPEC.words[Math.floor(rng() * SPEC.words.length)]);
  return `${lead ? `${lead} ` : ''}${words.join(' ')}?`;
}

/** @param {() => number} rng */
function pickTenant(rng) {
  const total = TENANTS.reduce((sum, t) => sum + t.weight, 0);
  let x = rng() * total;
  for (const t of TENANTS) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return TENANTS[TENANTS.length - 1];
}

let conversations = 0;
/** @type {Conversation | null} */
let current = null;

/** @returns {Conversation} */
function openConversation() {
  conversations += 1;
  const vu = exec.vu.idInTest;
  const rng = rngOf(SPEC.seed * 1000003 + vu * 7919 + conversations);
  return {
    id: `${RUN_ID}-v${vu}-s${conversations}`,
    tenant: pickTenant(rng),
    turns: Math.max(1, Math.round(draw(SPEC.turnsPerSession, rng))),
    sent: 0,
    history: [],
    rng,
  };
}

/**
 * The HTTP request of the conversation's next turn on SPEC.target.
 * @param {Conversation} c
 * @param {string} message
 * @param {number} maxTokens
 */
function requestOf(c, message, maxTokens) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json', 'x-request-id': `${c.id}-t${c.sent + 1}` };
  if (c.tenant.apiKey) headers.authorization = `Bearer ${c.tenant.apiKey}`;
  const url = BASE_URL + SPEC.path.replace('{session}', encodeURIComponent(c.id));
  const past = c.history.flatMap((e) => [
    { role: 'user', content: e.user },
    { role: 'assistant', content: e.assistant },
  ]);
  switch (SPEC.target) {
    case 'agent':
      return { url, headers, body: { message, max_tokens: maxTokens, stream: true } };
    case 'openai-chat':
      return {
        url,
        headers,
        body: {
          model: SPEC.model,
          messages: [...past, { role: 'user', content: message }],
          max_tokens: maxTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
      };
    case 'tgi-generate-stream':
      return {
        url,
        headers,
        body: {
          inputs: [...c.history.flatMap((e) => [e.user, e.assistant]), message].join('\n'),
          parameters: { max_new_tokens: maxTokens, details: true },
        },
      };
  }
}

/**
 * @param {Stream} s
 * @param {string} text
 * @param {number} atMs
 */
function content(s, text, atMs) {
  if (text.length === 0) return;
  if (s.chunks === 0) s.firstTokenAt = atMs;
  else s.gapsMs.push(atMs - s.lastTokenAt);
  s.lastTokenAt = atMs;
  s.chunks += 1;
  s.text += text;
}

/**
 * One SSE event of the target's protocol (docs/agent-protocol.md, OpenAI chunks, TGI tokens).
 * Content is a chunk with non-empty text; role-only chunks and `tool` events do not count.
 * @param {Stream} s
 * @param {import('k6/x/sse').SseEvent} event
 * @param {number} atMs
 * @returns {boolean} whether the stream is over
 */
function onEvent(s, event, atMs) {
  if (event.data === '[DONE]') {
    if (SPEC.target === 'openai-chat') s.done = true;
    return true;
  }
  if (event.data === '' || event.name === 'tool') return false;
  /** @type {any} */
  let obj;
  try {
    obj = JSON.parse(event.data);
  } catch (_) {
    s.error = 'protocol';
    return true;
  }
  if (event.name === 'error' || (obj && obj.error !== undefined)) {
    s.error = 'stream_error';
    return true;
  }
  if (SPEC.target === 'tgi-generate-stream') {
    if (obj.token && obj.token.special !== true && typeof obj.token.text === 'string')
      content(s, obj.token.text, atMs);
    if (typeof obj.generated_text !== 'string') return false;
    const details = obj.details || {};
    if (typeof details.generated_tokens === 'number') s.usageOut = details.generated_tokens;
    if (typeof details.input_length === 'number') s.usageIn = details.input_length;
    s.done = true;
    return true;
  }
  if (event.name === 'done') {
    const usage = obj.usage || {};
    if (typeof usage.completion_tokens === 'number') s.usageOut = usage.completion_tokens;
    if (typeof usage.prompt_tokens === 'number') s.usageIn = usage.prompt_tokens;
    s.degraded = obj.degraded === true;
    s.done = true;
    return false;
  }
  for (const choice of Array.isArray(obj.choices) ? obj.choices : []) {
    const text = choice && choice.delta ? choice.delta.content : undefined;
    if (typeof text === 'string') content(s, text, atMs);
  }
  if (obj.usage) {
    if (typeof obj.usage.completion_tokens === 'number') s.usageOut = obj.usage.completion_tokens;
    if (typeof obj.usage.prompt_tokens === 'number') s.usageIn = obj.usage.prompt_tokens;
  }
  return false;
}

/** @param {number} status @param {Stream} s @param {string} transportError */
function errorClassOf(status, s, transportError) {
  if (transportError) return 'connect';
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  if (status < 200 || status >= 300) return 'protocol';
  if (s.error) return s.error;
  return s.done ? '' : 'stream_error';
}

/** @param {number} elapsedMs since the run's start */
function phaseAt(elapsedMs) {
  let name = '';
  for (const p of SPEC.phases) if (p.atMs <= elapsedMs) name = p.name;
  return name;
}

/**
 * Sends the conversation's next turn and records it. Latencies run from `scheduledAt` (epoch ms):
 * the iteration's start, which is when k6's arrival schedule started it.
 * @param {Conversation} c
 * @param {number} scheduledAt
 */
function sendTurn(c, scheduledAt) {
  const turn = c.sent + 1;
  const usesTool = c.rng() < SPEC.toolFraction;
  const message = prompt(c.rng, Math.max(1, Math.round(draw(SPEC.inputTokens, c.rng))), usesTool);
  const maxTokens = Math.max(1, Math.round(draw(SPEC.maxTokens, c.rng)));
  const req = requestOf(c, message, maxTokens);
  const meta = exec.vu.metrics.metadata;
  // Set before the request, so xk6-sse's own http_reqs and http_req_duration points carry it too.
  meta.al_req = `${c.id}-t${turn}`;
  /** @type {Stream} */
  const s = {
    firstByteAt: 0,
    firstTokenAt: 0,
    lastTokenAt: 0,
    gapsMs: [],
    chunks: 0,
    text: '',
    usageOut: -1,
    usageIn: -1,
    degraded: false,
    done: false,
    error: '',
  };
  const res = sse.open(
    req.url,
    {
      method: 'POST',
      body: JSON.stringify(req.body),
      headers: req.headers,
      timeout: SPEC.requestTimeout,
      tags: { name: SPEC.path },
    },
    (client) => {
      client.on('open', () => {
        s.firstByteAt = Date.now();
      });
      client.on('event', (event) => {
        if (onEvent(s, event, Date.now())) client.close();
      });
      client.on('error', () => {
        if (s.firstByteAt > 0 && !s.done && !s.error) s.error = 'stream_error';
      });
    },
  );
  const endAt = Date.now();
  c.sent = turn;
  record(c, turn, scheduledAt, endAt, res, s);
  if (errorClassOf(res.status, s, res.error) === '') c.history.push({ user: message, assistant: s.text });
}

/**
 * @param {Conversation} c
 * @param {number} turn
 * @param {number} scheduledAt
 * @param {number} endAt
 * @param {import('k6/x/sse').SseResponse} res
 * @param {Stream} s
 */
function record(c, turn, scheduledAt, endAt, res, s) {
  const errorClass = errorClassOf(res.status, s, res.error);
  const completed = errorClass === '';
  const tokens = s.usageOut >= 0 ? s.usageOut : s.chunks;
  const ttft = s.chunks > 0 ? s.firstTokenAt - scheduledAt : null;
  const tpot = tokens > 1 && s.chunks > 0 ? (endAt - s.firstTokenAt) / (tokens - 1) : null;
  const e2e = endAt - scheduledAt;
  const runStart = exec.scenario.startTime - (SPEC.startTimeMs[exec.scenario.name] ?? 0);
  const meta = exec.vu.metrics.metadata;
  /** @type {Record<string, string | number | boolean>} */
  const fields = {
    al_run_start: runStart,
    al_t0: scheduledAt,
    al_first_byte: s.firstByteAt,
    al_first_token: s.chunks > 0 ? s.firstTokenAt : 0,
    al_end: endAt,
    al_in: s.usageIn,
    al_out: completed ? tokens : 0,
    al_src: s.usageOut >= 0 ? 'usage' : 'counted',
    al_status: res.status,
    al_error: errorClass,
    al_degraded: s.degraded ? 1 : 0,
    al_tenant: c.tenant.name,
    al_session: c.id,
    al_turn: turn,
    al_replica: (res.headers && res.headers['X-Agentload-Replica']) || '',
    al_phase: phaseAt(scheduledAt - runStart),
  };
  // k6's JSON output writes metadata as strings; numbers go in as their decimal text.
  for (const [key, value] of Object.entries(fields)) meta[key] = String(value);
  requestRecords.add(1);
  failedRate.add(!completed);
  degradedRate.add(s.degraded);
  if (completed) {
    if (s.firstByteAt > 0) firstByteMs.add(s.firstByteAt - scheduledAt);
    if (ttft !== null) ttftMs.add(ttft);
    for (const gap of s.gapsMs) itlMs.add(gap);
    if (tpot !== null) tpotMs.add(tpot);
    e2eMs.add(e2e);
    outputTokens.add(tokens);
    if (s.usageIn >= 0) inputTokens.add(s.usageIn);
    contentChunks.add(s.chunks);
    const good =
      !s.degraded &&
      (SPEC.slo.ttftMs === null || (ttft !== null && ttft <= SPEC.slo.ttftMs)) &&
      (SPEC.slo.itlMs === null || tpot === null || tpot <= SPEC.slo.itlMs) &&
      (SPEC.slo.e2eMs === null || e2e <= SPEC.slo.e2eMs);
    if (good) goodRequests.add(1);
  }
  for (const key of Object.keys(meta)) if (key.startsWith('al_')) delete meta[key];
}

/** One turn per iteration; each VU keeps a conversation going across its iterations. */
export function turn() {
  if (current === null || current.sent >= current.turns) current = openConversation();
  sendTurn(current, Date.now());
}

/** A whole conversation per iteration: its turns with think time between them. */
export function session() {
  const c = openConversation();
  let dueAt = Date.now();
  while (c.sent < c.turns) {
    if (c.sent > 0) {
      const thinkSec = Math.max(0, draw(SPEC.thinkTimeSec, c.rng));
      sleep(thinkSec);
      dueAt = Date.now();
    }
    sendTurn(c, dueAt);
  }
}

export default turn;
