/**
 * TGI's InferError and its HTTP mapping (router/src/server.rs, infer/mod.rs): the body is
 * `{"error": message, "error_type": type}`; the `err` label is what tgi_request_failure counts.
 * These are answers to clients, not AgentloadErrors: nothing here is thrown across modules.
 */
/** The ones this simulator raises; TGI also has incomplete_generation and template_error. */
export type InferErrorType = 'overloaded' | 'validation' | 'generation' | 'tool_error';

export interface InferError {
  readonly errorType: InferErrorType;
  readonly status: number;
  readonly message: string;
  /** Label value of tgi_request_failure{err}. */
  readonly metricErr: string;
}

function inferError(
  errorType: InferErrorType,
  status: number,
  message: string,
  metricErr: string,
): InferError {
  return Object.freeze({ errorType, status, message, metricErr });
}

export const overloadedError = (): InferError =>
  inferError('overloaded', 429, 'Model is overloaded', 'overloaded');

export const validationError = (detail: string): InferError =>
  inferError('validation', 422, `Input validation error: ${detail}`, 'validation');

export const generationError = (detail: string): InferError =>
  inferError('generation', 424, `Request failed during generation: ${detail}`, 'generation');

export const toolError = (detail: string): InferError =>
  inferError('tool_error', 422, `Tool error: ${detail}`, 'tool');

/** Tells an InferError from the other result a validation, tool choice or template step returns. */
export function isInferError(value: unknown): value is InferError {
  return typeof value === 'object' && value !== null && 'errorType' in value;
}

export function errorBody(error: InferError): { error: string; error_type: string } {
  return { error: error.message, error_type: error.errorType };
}

/**
 * OpenAI-route stream error event (infer/mod.rs into_openai_event): TGI hard-codes 422 whatever
 * the cause.
 */
export function openAiStreamErrorBody(error: InferError): {
  error: { message: string; http_status_code: 422 };
} {
  return { error: { message: error.message, http_status_code: 422 } };
}
