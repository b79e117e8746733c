import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { readJsonBody, sendText } from '../http-io.ts';
import { deserializeErrorText } from '../request-schemas.ts';
import type { RouteContext } from './context.ts';

/**
 * Reads and types a JSON body, answering the client itself when that fails (415, 413, 400, or 422
 * for JSON of the wrong shape, as axum's Json extractor does). Returns null when it answered.
 */
export async function readTypedBody<S extends z.ZodTypeAny>(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
): Promise<{ value: z.infer<S>; bytes: number } | null> {
  const body = await readJsonBody(req, ctx.config.payloadLimitBytes);
  if (!body.ok) {
    sendText(res, body.status, body.text);
    return null;
  }
  const parsed = schema.safeParse(body.value);
  if (!parsed.success) {
    sendText(res, 422, deserializeErrorText(parsed.error));
    return null;
  }
  return { value: parsed.data as z.infer<S>, bytes: body.bytes };
}
