import type { z } from 'zod';
import type { LatencySpec } from './latency-model.ts';

/** One entry of `GET /tools`: the OpenAI function-calling shape, so the agent passes it to the model as is. */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type ToolCallOutcome = { ok: true; result: unknown } | { ok: false; issues: string[] };

export interface ToolSpec {
  readonly name: string;
  readonly latency: LatencySpec;
  readonly definition: ToolDefinition;
  /** Validates the arguments, then computes the result (deterministic in the arguments). */
  call(args: unknown): ToolCallOutcome;
}

export interface ToolSpecInput<S extends z.ZodTypeAny> {
  name: string;
  description: string;
  /** JSON schema of the arguments, hand-written to read well in a prompt; kept in step with `schema` by a test. */
  parameters: Record<string, unknown>;
  schema: S;
  latency: LatencySpec;
  run(args: z.output<S>): unknown;
}

export function defineTool<S extends z.ZodTypeAny>(input: ToolSpecInput<S>): ToolSpec {
  return {
    name: input.name,
    latency: Object.freeze({ ...input.latency }),
    definition: {
      type: 'function',
      function: { name: input.name, description: input.description, parameters: input.parameters },
    },
    call(args) {
      const parsed = input.schema.safeParse(args);
      if (!parsed.success) {
        return {
          ok: false,
          issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`),
        };
      }
      return { ok: true, result: input.run(parsed.data) };
    },
  };
}
