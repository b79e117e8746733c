import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../../harness/engine/client/sse-parser.ts';

type Event = [type: string, data: string];

function parseChunks(chunks: (string | Buffer)[]): { events: Event[]; parser: SseParser } {
  const events: Event[] = [];
  const parser = new SseParser({ onSseEvent: (type, data) => void events.push([type, data]) });
  for (const c of chunks) parser.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  return { events, parser };
}

function splitEvery(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const STREAM = [
  ': keep-alive\n',
  'event: tool\ndata: {"name":"search","ok":true}\n\n',
  'data: {"choices":[{"delta":{"content":"héllo ✓"}}]}\n\n',
  'data: first\ndata: second\n\n',
  'event: done\ndata: {"usage":{}}\n\n',
  'data: [DONE]\n\n',
].join('');

const EXPECTED: Event[] = [
  ['tool', '{"name":"search","ok":true}'],
  ['message', '{"choices":[{"delta":{"content":"héllo ✓"}}]}'],
  ['message', 'first\nsecond'],
  ['done', '{"usage":{}}'],
  ['message', '[DONE]'],
];

describe('SseParser', () => {
  it('dispatches typed events, defaulting the type to message', () => {
    expect(parseChunks([STREAM]).events).toEqual(EXPECTED);
  });

  it('gives the same events when the stream arrives one byte at a time', () => {
    expect(parseChunks(splitEvery(Buffer.from(STREAM), 1)).events).toEqual(EXPECTED);
  });

  it('gives the same events for any split of the bytes into chunks', () => {
    const bytes = Buffer.from(STREAM);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
          expect(parseChunks(chunks).events).toEqual(EXPECTED);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts CRLF and bare CR line endings, also with the CRLF split across chunks', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    expect(parseChunks([crlf]).events).toEqual(EXPECTED);
    expect(parseChunks(splitEvery(Buffer.from(crlf), 1)).events).toEqual(EXPECTED);
    expect(parseChunks([STREAM.replace(/\n/g, '\r')]).events).toEqual(EXPECTED);
    expect(parseChunks(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']).events).toEqual([
      ['message', 'a'],
      ['message', 'b'],
    ]);
  });

  it('keeps a multi-byte UTF-8 character intact when a chunk boundary cuts through it', () => {
    const bytes = Buffer.from('data: ✓€\n\n');
    const events = parseChunks([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]).events;
    expect(events).toEqual([['message', '✓€']]);
  });

  it('ignores comments but counts them as keep-alives', () => {
    const { events, parser } = parseChunks([':\n: ping\n\ndata: x\n\n: ping\n\n']);
    expect(events).toEqual([['message', 'x']]);
    expect(parser.comments).toBe(3);
  });

  it('strips exactly one space after the colon and treats a line without colon as a field name', () => {
    const { events } = parseChunks(['data:no-space\n\ndata:  two\n\ndata\n\n']);
    expect(events).toEqual([
      ['message', 'no-space'],
      ['message', ' two'],
      ['message', ''],
    ]);
  });

  it('drops an event without data and resets the event type after each dispatch', () => {
    const { events } = parseChunks(['event: tool\n\ndata: a\n\nevent: done\ndata: b\n\ndata: c\n\n']);
    expect(events).toEqual([
      ['message', 'a'],
      ['done', 'b'],
      ['message', 'c'],
    ]);
  });

  it('ignores id, retry and unknown fields', () => {
    const { events } = parseChunks(['id: 7\nretry: 100\nfoo: bar\ndata: a\n\n']);
    expect(events).toEqual([['message', 'a']]);
  });

  it('holds back an event that the stream has not terminated with a blank line', () => {
    const { events, parser } = parseChunks(['data: a\n\ndata: partial']);
    expect(events).toEqual([['message', 'a']]);
    expect(parser.hasPartialEvent).toBe(true);
    parser.push(Buffer.from('\n\n'));
    expect(events).toEqual([
      ['message', 'a'],
      ['message', 'partial'],
    ]);
    expect(parser.hasPartialEvent).toBe(false);
  });

  it('carries a line longer than its initial buffer across many chunks', () => {
    const long = 'x'.repeat(10_000);
    const { events } = parseChunks(splitEvery(Buffer.from(`data: ${long}\n\n`), 7));
    expect(events).toEqual([['message', long]]);
  });

  it('skips a UTF-8 byte order mark at the start of the stream', () => {
    const { events } = parseChunks([
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: a\n\n')]),
    ]);
    expect(events).toEqual([['message', 'a']]);
  });
});
