/**
 * An error answered to the HTTP client as `{"error":{"code","message"}}` (docs/agent-protocol.md).
 * `code` is a stable snake_case string clients may match on.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
