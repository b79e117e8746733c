import { describe, expect, it } from 'vitest';
import { countTokens } from '../../../reference-service/model-server/tokenizer.ts';
import { parseScenario } from '../../../harness/config/scenario-schema.ts';
import { composePrompt, countPromptTokens } from '../../../harness/engine/corpus.ts';
import { sample } from '../../../harness/engine/distribution.ts';
import { createRng } from '../../../harness/engine/rng.ts';
import { Workload } from '../../../harness/engine/workload.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';

const tenants = [
  { name: 'acme', apiKey: 'k-acme' },
  { name: 'globex', apiKey: 'k-globex' },
];

function workloadOf(workload: Record<string, unknown>, seed = 1) {
  const s = parseScenario({
    name: 'w',
    executors: { m: { executor: 'constant-vus', vus: 1, duration: '10s' } },
    workload,
  });
  return new Workload(s.workload, createRng(seed).fork('workload'), tenants, 'run');
}

describe('prompts', () => {
  it('have exactly the drawn number of tokens under the model server counting rule', () => {
    const rng = createRng(4);
    for (const n of [12, 30, 77, 250, 1000]) {
      const plain = composePrompt(rng, n);
      expect(countPromptTokens(plain)).toBe(n);
      expect(countTokens(plain)).toBe(n);
    }
    const lead = 'Check the status of order ORD-10442.';
    expect(countTokens(composePrompt(rng, 40, lead))).toBe(40);
    // Never shorter than the lead and the closing question.
    expect(countPromptTokens(composePrompt(rng, 3, lead))).toBeGreaterThan(countPromptTokens(lead));
  });

  it('count letter runs in eights and every other mark as one token', () => {
    expect(countPromptTokens('the capacity planner, ORD-10442?')).toBe(1 + 1 + 1 + 1 + 1 + 1 + 5 + 1);
    expect(countPromptTokens('internationalization')).toBe(3);
  });
});

describe('distributions', () => {
  it('draw within bounds with the right centre', () => {
    const rng = createRng(9);
    const draws = (d: Parameters<typeof sample>[0]) => Array.from({ length: 4000 }, () => sample(d, rng));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const u = draws({ kind: 'uniform', min: 10, max: 20 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThan(20);
    expect(mean(draws({ kind: 'normal', mean: 50, stddev: 5 }))).toBeCloseTo(50, 0);
    expect(median(draws({ kind: 'lognormal', median: 60, sigma: 0.5 }))).toBeGreaterThan(55);
    expect(median(draws({ kind: 'lognormal', median: 60, sigma: 0.5 }))).toBeLessThan(65);
    expect(Math.max(...draws({ kind: 'lognormal', median: 60, sigma: 2, max: 100 }))).toBe(100);
  });
});

describe('Workload', () => {
  it('draws the same conversation for the same seed and index, whatever was drawn before', () => {
    const a = workloadOf({});
    const b = workloadOf({});
    b.turn(b.conversation(5), 1);
    const c5a = a.conversation(3);
    const c5b = b.conversation(3);
    expect(c5a).toEqual(c5b);
    expect(a.turn(c5a, 2)).toEqual(b.turn(c5b, 2));
    expect(workloadOf({}, 2).turn(workloadOf({}, 2).conversation(3), 2).message).not.toBe(
      a.turn(c5a, 2).message,
    );
  });

  it('makes the tool-trigger fraction of turns name a tool, and keeps max_tokens in its distribution', () => {
    const w = workloadOf({ toolFraction: 0.25, maxTokens: { kind: 'uniform', min: 16, max: 32 } });
    const turns = Array.from({ length: 2000 }, (_, i) => w.turn(w.conversation(i), 1));
    const share = turns.filter((t) => t.usesTool).length / turns.length;
    expect(share).toBeGreaterThan(0.21);
    expect(share).toBeLessThan(0.29);
    for (const t of turns) {
      expect(/\b(search|knowledge|weather|order)\b/i.test(t.message)).toBe(t.usesTool);
      expect(t.maxTokens).toBeGreaterThanOrEqual(16);
      expect(t.maxTokens).toBeLessThanOrEqual(32);
    }
  });

  it('follows the tenant mix and refuses tenants the stack does not have', () => {
    const w = workloadOf({ tenants: { globex: 1 } });
    expect(new Set(Array.from({ length: 50 }, (_, i) => w.conversation(i).tenant.name))).toEqual(
      new Set(['globex']),
    );
    expect(() => workloadOf({ tenants: { initech: 1 } })).toThrow(InvalidConfigError);
  });

  it('builds the request of each target kind', () => {
    const history = [{ user: 'hi', assistant: 'hello' }];
    const agent = workloadOf({ target: 'agent' });
    const plan = agent.turn(agent.conversation(0), 2);
    expect(agent.request(plan, history)).toMatchObject({
      protocol: 'agent',
      path: '/v1/sessions/run-s0/turns',
      headers: { authorization: expect.stringMatching(/^Bearer k-/) },
      body: { message: plan.message, max_tokens: plan.maxTokens, stream: true },
    });
    const openai = workloadOf({ target: 'openai-chat', model: 'llama' });
    const req = openai.request(openai.turn(openai.conversation(0), 2), history);
    expect(req).toMatchObject({
      protocol: 'openai-chat',
      path: '/v1/chat/completions',
      body: { model: 'llama', stream: true },
    });
    expect((req.body as { messages: { role: string }[] }).messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
    const tgi = workloadOf({ target: 'tgi-generate-stream' });
    expect(tgi.request(tgi.turn(tgi.conversation(0), 1), [])).toMatchObject({
      protocol: 'tgi-generate-stream',
      path: '/generate_stream',
      body: { parameters: { max_new_tokens: expect.any(Number) } },
    });
  });
});
