import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Logs never carry secrets or personal data (OWASP Logging Cheat Sheet "data to exclude"):
 * known secret fields are censored by path, and every string that is logged (messages, error
 * messages and stacks, URLs) is scrubbed of bearer tokens, agentload keys, e-mail addresses and
 * phone numbers. Message text of turns is never logged at all.
 */
const scrubbers: [RegExp, string | ((match: string) => string)][] = [
  [/\b(Bearer|Basic)\s+[^\s,;"']+/gi, '$1 [Redacted]'],
  [/\bal_[A-Za-z0-9_]{8,}/g, '[Redacted key]'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '[Redacted key]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[Redacted email]'],
  // Phone numbers: an optional +, then 8 or more digits, possibly split by spaces, dots, dashes or parentheses.
  // ISO dates (2024-05-01...) look alike and are kept; so are digit runs inside dashed ids (UUID
  // request ids, e.g. ...-4123-8456-...), which would otherwise lose the groups that correlate them.
  [
    /(?<![\w.-])\+?\(?\d(?:[\s().-]{0,2}\d){7,}(?![\w-])/g,
    (m) => (/^\d{4}-\d{2}-\d{2}/.test(m) ? m : '[Redacted phone]'),
  ],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of scrubbers) out = out.replace(pattern, replacement as string);
  return out;
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: scrubText(value.stack ?? '') };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  // Class instances (Fastify's request and reply) are left to their serializers.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'apiKey',
  'key',
  '*.apiKey',
  '*.authorization',
];

export interface AgentLoggerOptions {
  level?: string;
  replicaId: string;
  /** Where the JSON lines go; default stderr (stdout is kept for the CLI's ready line). */
  stream?: DestinationStream;
}

export function createAgentLogger(options: AgentLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { replica: options.replicaId },
      redact: { paths: redactedPaths, censor: '[Redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: scrubText(req.url ?? ''),
          id: req.id,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error) => scrubValue(err),
        // The request id is the client's x-request-id when well-formed, bound to every request's
        // child logger; bindings bypass the logMethod hook below, so they are scrubbed here.
        reqId: (id: unknown) => scrubText(String(id)),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrubValue(a)) as Parameters<typeof method>);
        },
      },
    },
    options.stream ?? pino.destination(2),
  );
}
