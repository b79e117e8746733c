import type { FastifyRequest } from 'fastify';
import { ModelRejectedError, TurnBrokenError } from '../agent-loop.ts';
import { ApiError } from '../errors.ts';
import { StoreUnavailableError } from '../store/types.ts';

/** Maps anything a route throws to the error the client gets. Unknown errors hide their text (logged instead). */
export function toApiError(error: unknown, requestId: string, shuttingDown: boolean): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreUnavailableError) {
    return new ApiError(503, 'store_unavailable', 'the state store is unavailable; retry shortly', {
      'retry-after': '1',
    });
  }
  if (error instanceof ModelRejectedError) {
    return new ApiError(502, 'model_rejected', error.message);
  }
  if (error instanceof TurnBrokenError) {
    return new ApiError(
      502,
      'model_stream_broken',
      'the model stopped in the middle of the answer; the turn was not stored',
    );
  }
  if (shuttingDown) {
    return new ApiError(
      503,
      'shutting_down',
      'this replica shut down before the turn finished; the turn was not stored',
      {
        'retry-after': '1',
      },
    );
  }
  return new ApiError(
    500,
    'internal_error',
    `internal error; the service log has details under request id ${requestId}`,
  );
}

/**
 * Expected failures (an outage, shutdown, a client gone) log one warn line without a stack: during
 * a Redis outage every request fails, and stacks would bury everything else. Only unexpected
 * errors log at error level with their stack.
 */
export function logFailure(req: FastifyRequest, code: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'internal_error') req.log.error({ err: error }, 'request failed');
  // The socket, not req.raw: a request stream is destroyed as soon as its body has been read.
  else if (code !== 'shutting_down' && req.raw.socket?.destroyed !== true)
    req.log.warn({ code, reason: message }, 'request failed');
}
