import { DEFAULT_GENERATION_LENGTH } from './batch-state.ts';
import { validationError, type InferError } from './infer-errors.ts';
import type { GenerateParameters } from './request-schemas.ts';
import { countTokens } from './tokenizer.ts';

/**
 * TGI's request validation (router/src/validation.rs Validation::validate), in its order and with
 * its messages; each failure is a 422 `Input validation error: <message>`.
 */

export interface ValidationLimits {
  maxInputTokens: number;
  maxTotalTokens: number;
  maxStopSequences: number;
  maxBestOf: number;
  maxTopNTokens: number;
}

export interface ValidRequest {
  inputs: string;
  inputTokens: number;
  /** Tokens the request may generate in total (TGI's max_total_new_tokens). */
  maxNewTokens: number;
  /** What the client asked for, or null (TGI then fills the context window). */
  requestedMaxNewTokens: number | null;
  stop: readonly string[];
  doSample: boolean;
  /** The seed TGI reports in details: the client's, or a derived one when sampling; null when greedy. */
  seed: number | null;
  details: boolean;
  decoderInputDetails: boolean;
  returnFullText: boolean;
  /** JSON schema from a `json` grammar; the answer is then a JSON document of that schema. */
  jsonSchema: Record<string, unknown> | null;
}

export interface ValidationInput {
  inputs: string;
  parameters: GenerateParameters;
  stream: boolean;
  /** Token count computed by the caller (chat template); default: countTokens(inputs). */
  inputTokens?: number;
  /** Seed for a sampling request that gave none (derived from the prompt, so runs repeat). */
  derivedSeed: number;
}

function checkSampling(p: GenerateParameters, limits: ValidationLimits, stream: boolean): string | null {
  const bestOf = p.best_of ?? 1;
  if (stream && bestOf !== 1) return '`best_of` != 1 is not supported when streaming tokens';
  if (stream && p.decoder_input_details) {
    return '`decoder_input_details` == true is not supported when streaming tokens';
  }
  if (limits.maxBestOf === 1 && bestOf !== 1) return '`best_of` != 1 is not allowed for this endpoint';
  if (bestOf > limits.maxBestOf)
    return `\`best_of\` must be > 0 and <= ${limits.maxBestOf}. Given: ${bestOf}`;
  if (p.temperature != null && p.temperature <= 0) return '`temperature` must be strictly positive';
  if (p.repetition_penalty != null && p.repetition_penalty <= 0) {
    return '`repetition_penalty` must be strictly positive';
  }
  if (p.frequency_penalty != null && (p.frequency_penalty < -2 || p.frequency_penalty > 2)) {
    return '`frequency_penalty` must be >= -2.0 and <= 2.0';
  }
  if (p.top_p != null && (p.top_p <= 0 || p.top_p >= 1)) return '`top_p` must be > 0.0 and < 1.0';
  if (p.typical_p != null && (p.typical_p <= 0 || p.typical_p >= 1))
    return '`typical_p` must be > 0.0 and < 1.0';
  if (p.top_k != null && p.top_k <= 0) return '`top_k` must be strictly positive';
  if (p.max_new_tokens === 0) return '`max_new_tokens` must be strictly positive';
  if (p.stop.length > limits.maxStopSequences) {
    return `\`stop\` supports up to ${limits.maxStopSequences} stop sequences. Given: ${p.stop.length}`;
  }
  const topN = p.top_n_tokens ?? 0;
  if (topN > limits.maxTopNTokens) {
    return `\`top_n_tokens\` must be >= 0 and <= ${limits.maxTopNTokens}. Given: ${topN}`;
  }
  return null;
}

function checkGrammar(p: GenerateParameters): { schema: Record<string, unknown> | null } | string {
  const grammar = p.grammar;
  if (!grammar || grammar.type === 'regex') return { schema: null };
  let value = grammar.value;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      return `grammar is not valid: ${(e as Error).message}`;
    }
  }
  if (grammar.type === 'json_object') return { schema: { type: 'object', properties: {} } };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'grammar is not supported';
  if (!('properties' in value)) return "grammar is not valid: Grammar must have a 'properties' field";
  return { schema: value as Record<string, unknown> };
}

export function validateRequest(input: ValidationInput, limits: ValidationLimits): ValidRequest | InferError {
  const p = input.parameters;
  const sampling = checkSampling(p, limits, input.stream);
  if (sampling) return validationError(sampling);
  if (input.inputs.length === 0) return validationError('`inputs` cannot be empty');
  if (p.truncate != null && (p.truncate === 0 || p.truncate > limits.maxInputTokens)) {
    return validationError(
      `\`truncate\` must be strictly positive and less than ${limits.maxInputTokens}. Given: ${p.truncate}`,
    );
  }
  const counted = input.inputTokens ?? countTokens(input.inputs);
  const inputTokens = p.truncate != null ? Math.min(counted, p.truncate) : counted;
  const totalNew = p.max_new_tokens ?? Math.max(0, limits.maxTotalTokens - inputTokens);
  const checkedNew = p.max_new_tokens ?? Math.min(totalNew, DEFAULT_GENERATION_LENGTH);
  if (inputTokens + checkedNew > limits.maxTotalTokens) {
    return validationError(
      `\`inputs\` tokens + \`max_new_tokens\` must be <= ${limits.maxTotalTokens}. Given: ${inputTokens} \`inputs\` tokens and ${checkedNew} \`max_new_tokens\``,
    );
  }
  if (inputTokens > limits.maxInputTokens) {
    return validationError(
      `\`inputs\` must have less than ${limits.maxInputTokens} tokens. Given: ${inputTokens}`,
    );
  }
  const grammar = checkGrammar(p);
  if (typeof grammar === 'string') return validationError(grammar);
  const doSample =
    p.do_sample || p.temperature != null || p.top_k != null || p.top_p != null || p.typical_p != null;
  return {
    inputs: input.inputs,
    inputTokens,
    maxNewTokens: totalNew,
    requestedMaxNewTokens: p.max_new_tokens ?? null,
    stop: p.stop,
    doSample,
    seed: p.seed ?? (doSample ? input.derivedSeed : null),
    details: p.details,
    decoderInputDetails: p.decoder_input_details,
    returnFullText: p.return_full_text ?? false,
    jsonSchema: grammar.schema,
  };
}
