/**
 * SSE parser cost: ns per event and MB/s over an OpenAI-style token stream cut into chunks four
 * ways, against two peers in the same run: undici's own EventSource parser (a byte-at-a-time state
 * machine, driven synchronously) and the usual hand-written one (string += chunk, indexOf('\n\n'),
 * split lines). Parsing only: no JSON.parse of the data.
 *
 *   node --import tsx bench/engine-sse-parser.ts     (about 10 s)
 */
import { createRequire } from 'node:module';
import { SseParser } from '../harness/engine/client/index.ts';
import { nodeVersionLine, printTable } from './engine-bench-support.ts';

const EVENTS = 2_000;
const RUN_MS = 400;

interface ParserUnderTest {
  name: string;
  /** Parses one whole stream delivered as `chunks`; returns the number of events. */
  parse(chunks: Buffer[]): number;
}

const agentload: ParserUnderTest = {
  name: 'agentload SseParser',
  parse(chunks) {
    let events = 0;
    const parser = new SseParser({ onSseEvent: () => void events++ });
    for (const c of chunks) parser.push(c);
    return events;
  },
};

interface UndiciEventSourceStream {
  _transform(chunk: Buffer, encoding: string, callback: (err?: Error) => void): void;
}
type UndiciEventSourceStreamCtor = new (options: {
  push: (event: unknown) => boolean;
}) => UndiciEventSourceStream;

function undiciPeer(): ParserUnderTest {
  const { EventSourceStream } = createRequire(import.meta.url)(
    'undici/lib/web/eventsource/eventsource-stream.js',
  ) as {
    EventSourceStream: UndiciEventSourceStreamCtor;
  };
  return {
    name: 'undici EventSourceStream',
    parse(chunks) {
      let events = 0;
      const stream = new EventSourceStream({ push: () => (events++, true) });
      const done = (err?: Error): void => {
        if (err) throw err;
      };
      for (const c of chunks) stream._transform(c, 'buffer', done);
      return events;
    },
  };
}

/** The common hand-written parser: LF only, a growing string, a split per event. */
const naive: ParserUnderTest = {
  name: 'string += / split',
  parse(chunks) {
    let events = 0;
    let buffer = '';
    for (const c of chunks) {
      buffer += c.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart());
        if (data.length > 0) events++;
      }
    }
    return events;
  },
};

function makeStream(): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < EVENTS - 1; i++) {
    const content = ` tok${i % 97}`;
    parts.push(
      `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`,
    );
  }
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''));
}

function chunkings(stream: Buffer): [string, Buffer[]][] {
  const every = (size: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) out.push(stream.subarray(i, i + size));
    return out;
  };
  const perEvent: Buffer[] = [];
  let start = 0;
  for (let i = stream.indexOf('\n\n'); i !== -1; i = stream.indexOf('\n\n', start)) {
    perEvent.push(stream.subarray(start, i + 2));
    start = i + 2;
  }
  return [
    ['one chunk per event', perEvent],
    ['16 KiB chunks', every(16 * 1024)],
    ['7-byte chunks', every(7)],
    ['whole stream', [stream]],
  ];
}

function time(p: ParserUnderTest, chunks: Buffer[], bytes: number): { nsPerEvent: number; mbPerSec: number } {
  for (let i = 0; i < 20; i++) if (p.parse(chunks) !== EVENTS) throw new Error(`${p.name} miscounted events`);
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < RUN_MS) {
    p.parse(chunks);
    runs++;
  }
  const elapsedMs = performance.now() - t0;
  return {
    nsPerEvent: (elapsedMs * 1e6) / (runs * EVENTS),
    mbPerSec: (runs * bytes) / 1e6 / (elapsedMs / 1000),
  };
}

function main(): void {
  const stream = makeStream();
  console.log(`engine-sse-parser: ${nodeVersionLine()}; ${EVENTS} events, ${stream.length} bytes per stream`);
  const parsers = [agentload, undiciPeer(), naive];
  const rows = [];
  for (const [label, chunks] of chunkings(stream)) {
    const results = parsers.map((p) => ({ p, r: time(p, chunks, stream.length) }));
    const ours = results[0]!.r.nsPerEvent;
    for (const { p, r } of results) {
      rows.push({
        chunking: label,
        parser: p.name,
        'ns/event': r.nsPerEvent,
        'MB/s': r.mbPerSec,
        'time vs agentload': r.nsPerEvent / ours,
      });
    }
  }
  printTable('SSE parsing (lower ns/event is better)', rows);
}

main();
