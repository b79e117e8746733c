import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorBody, type InferError } from './infer-errors.ts';

/**
 * Request bodies and plain responses, with axum's rejections (TGI's web framework): a missing JSON
 * content type is 415, a body over --payload-limit 413, unparseable JSON 400; all as text/plain.
 */

export type BodyResult =
  { ok: true; value: unknown; bytes: number } | { ok: false; status: number; text: string };

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mime = value.split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    return Promise.resolve({
      ok: false,
      status: 415,
      text: 'Expected request with `Content-Type: application/json`',
    });
  }
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    text: 'Failed to buffer the request body: length limit exceeded',
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > limitBytes) {
        req.resume();
        finish(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, text: 'Failed to buffer the request body' }));
    // A client that goes away mid-body never sends 'end'; 'close' always comes, after 'end' if any.
    req.on('close', () => finish({ ok: false, status: 400, text: 'Failed to buffer the request body' }));
    req.on('end', () => {
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')), bytes });
      } catch (e) {
        finish({
          ok: false,
          status: 400,
          text: `Failed to parse the request body as JSON: ${(e as Error).message}`,
        });
      }
    });
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...headers,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': 0 });
  res.end();
}

export function sendInferError(
  res: ServerResponse,
  error: InferError,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(res, error.status, errorBody(error), headers);
}

/** The request path without its query string. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Drops the request when its client goes away (or already has) before the answer is complete. */
export function cancelOnClose(res: ServerResponse, submitted: { cancel(): void }): void {
  if (res.destroyed) submitted.cancel();
  else res.once('close', () => submitted.cancel());
}
