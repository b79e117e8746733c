import fc from 'fast-check';

/**
 * Generators of agent requests for the route fuzzing (test/security/route-fuzz.test.ts): mostly
 * near-valid, so the traffic reaches every layer (auth, validation, admission, model, storage),
 * with a share of hostile or malformed variants in every part.
 */
export const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, '');
export const header = (maxLength: number) => fc.string({ maxLength }).map(printable);

export const idArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('s1', 's2', 'shared', 'a.b:c-d_e') },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/) },
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 300 }).map(encodeURIComponent),
  fc.constantFrom('..', '.', '%2e%2e', '%00', '%E0%A4%A', '%', 'a%2Fb', 'x'.repeat(129), 'y'.repeat(300)),
);

/** Authorization mostly with `tenantKey`, sometimes `otherKey`, garbage or none; the rest random. */
export function headersArb(tenantKey: string, otherKey: string) {
  return fc.record(
    {
      authorization: fc.oneof(
        { weight: 12, arbitrary: fc.constant(`Bearer ${tenantKey}`) },
        { weight: 1, arbitrary: fc.constant(`Bearer ${otherKey}`) },
        { weight: 1, arbitrary: header(80).map((s) => `Bearer ${s}`) },
        { weight: 1, arbitrary: header(80) },
        { weight: 2, arbitrary: fc.constant(undefined) },
      ),
      'content-type': fc.oneof(
        { weight: 12, arbitrary: fc.constant('application/json') },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/octet-stream',
          ),
        },
        { weight: 1, arbitrary: header(60) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      'idempotency-key': header(300),
      'x-request-id': header(200),
      extra: fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), header(100), { maxKeys: 3 }),
    },
    { requiredKeys: ['authorization', 'content-type'] },
  );
}

const messageArb = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'What is the weather in Lisbon?'),
  fc.integer({ min: 7_990, max: 8_010 }).map((n) => 'm'.repeat(n)),
  fc.anything(),
);

const turnBodyArb = fc.record(
  {
    message: messageArb,
    max_tokens: fc.oneof(
      fc.integer({ min: -2, max: 20 }),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant(null),
    ),
    stream: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.anything() }),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

export const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return 'null';
  }
};

/** Well-formed turns, so the generated traffic also reaches admission, the model, tools and storage. */
const validTurnArb = fc
  .record(
    {
      message: fc.oneof(
        fc.string({ minLength: 1, maxLength: 120 }),
        fc.constant('What is the weather in Lisbon?'),
      ),
      max_tokens: fc.integer({ min: 1, max: 16 }),
      stream: fc.boolean(),
    },
    { requiredKeys: ['message'] },
  )
  .filter((b) => b.message.length > 0);

export const bodyArb = fc.oneof(
  { weight: 6, arbitrary: validTurnArb.map(safeJson) },
  {
    weight: 5,
    arbitrary: turnBodyArb.map((b) =>
      b.extra === undefined ? safeJson({ ...b, extra: undefined }) : safeJson(b),
    ),
  },
  { weight: 2, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.anything().map(safeJson) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export function headersOf(h: Record<string, unknown>): Record<string, string> {
  const { extra, ...rest } = h;
  const out: Record<string, string> = { ...(extra as Record<string, string> | undefined) };
  for (const [name, value] of Object.entries(rest)) if (typeof value === 'string') out[name] = value;
  return out;
}
