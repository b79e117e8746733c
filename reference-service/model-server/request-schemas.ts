import { z } from 'zod';

/**
 * Request bodies as TGI deserializes them (router/src/lib.rs). A body that is JSON but not of
 * these types gets axum's 422 "Failed to deserialize the JSON body into the target type".
 * Unknown fields are ignored, as serde does.
 */

const u32 = z.number().int().min(0).max(0xffffffff);
const nullableNumber = z.number().nullish();

export const grammarSchema = z.object({
  type: z.enum(['json', 'regex', 'json_object']),
  value: z.unknown(),
});

export const generateParametersSchema = z.object({
  best_of: u32.nullish(),
  temperature: nullableNumber,
  repetition_penalty: nullableNumber,
  frequency_penalty: nullableNumber,
  top_k: z.number().int().nullish(),
  top_p: nullableNumber,
  typical_p: nullableNumber,
  do_sample: z.boolean().default(false),
  max_new_tokens: u32.nullish(),
  return_full_text: z.boolean().nullish(),
  stop: z.array(z.string()).default([]),
  truncate: u32.nullish(),
  watermark: z.boolean().default(false),
  details: z.boolean().default(false),
  decoder_input_details: z.boolean().default(false),
  seed: z.number().int().min(0).nullish(),
  top_n_tokens: u32.nullish(),
  grammar: grammarSchema.nullish(),
  adapter_id: z.string().nullish(),
});

export type GenerateParameters = z.infer<typeof generateParametersSchema>;

/** TGI's default_parameters(), used when `parameters` is absent: sampling on, no details. */
export const DEFAULT_PARAMETERS: GenerateParameters = Object.freeze({
  ...generateParametersSchema.parse({}),
  do_sample: true,
});

export const generateRequestSchema = z.object({
  inputs: z.string(),
  parameters: generateParametersSchema.optional(),
  stream: z.boolean().default(false),
});

export type GenerateRequestBody = z.infer<typeof generateRequestSchema>;

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const imagePartSchema = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) });
export const contentSchema = z
  .union([z.string(), z.array(z.union([textPartSchema, imagePartSchema]))])
  .nullish();

export const toolCallSchema = z.object({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.object({
    name: z.string(),
    arguments: z.union([z.string(), z.record(z.unknown())]).optional(),
  }),
});

export const messageSchema = z.object({
  role: z.string(),
  content: contentSchema,
  name: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  tool_call_id: z.string().nullish(),
});

export type ChatMessage = z.infer<typeof messageSchema>;

export const toolSchema = z.object({
  type: z.string().default('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.unknown()).nullish(),
  }),
});

export type ToolDefinition = z.infer<typeof toolSchema>;

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

export type ToolChoice = z.infer<typeof toolChoiceSchema>;

const stopSchema = z.union([z.string(), z.array(z.string())]).nullish();

export const chatRequestSchema = z.object({
  model: z.string().nullish(),
  messages: z.array(messageSchema),
  frequency_penalty: nullableNumber,
  logprobs: z.boolean().nullish(),
  top_logprobs: u32.nullish(),
  max_tokens: u32.nullish(),
  max_completion_tokens: u32.nullish(),
  n: u32.nullish(),
  presence_penalty: nullableNumber,
  stop: stopSchema,
  stream: z.boolean().default(false),
  stream_options: z.object({ include_usage: z.boolean().default(false) }).nullish(),
  seed: z.number().int().min(0).nullish(),
  temperature: nullableNumber,
  top_p: nullableNumber,
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  response_format: z
    .object({ type: z.string(), value: z.unknown().optional(), json_schema: z.unknown().optional() })
    .nullish(),
});

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

export const completionRequestSchema = z.object({
  model: z.string().nullish(),
  prompt: z.union([z.string(), z.array(z.string())]),
  max_tokens: u32.nullish(),
  stream: z.boolean().default(false),
  seed: z.number().int().min(0).nullish(),
  suffix: z.string().nullish(),
  repetition_penalty: nullableNumber,
  frequency_penalty: nullableNumber,
  temperature: nullableNumber,
  top_p: nullableNumber,
  stop: stopSchema,
});

export type CompletionRequestBody = z.infer<typeof completionRequestSchema>;

/** axum's wording for a body of the wrong shape, with serde-like paths. */
export function deserializeErrorText(error: z.ZodError): string {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return `Failed to deserialize the JSON body into the target type: ${where}${first?.message ?? 'invalid body'}`;
}

function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop === null || stop === undefined) return [];
  return typeof stop === 'string' ? [stop] : stop;
}

const BASE_PARAMETERS = generateParametersSchema.parse({});

/**
 * The sampling fields both OpenAI routes share, in TGI's terms (router/src/lib.rs
 * ChatRequest::try_into_generate, CompletionRequest): temperature 0 means greedy, details always on.
 */
export function openAiParameters(
  b: Pick<ChatRequestBody, 'temperature' | 'top_p' | 'frequency_penalty' | 'seed' | 'stop'>,
): GenerateParameters {
  const greedy = b.temperature === 0;
  return {
    ...BASE_PARAMETERS,
    do_sample: !greedy,
    temperature: greedy ? null : b.temperature,
    top_p: b.top_p,
    frequency_penalty: b.frequency_penalty,
    seed: b.seed,
    stop: stopList(b.stop),
    details: true,
  };
}
