/**
 * Incremental server-sent-events parser (WHATWG HTML "event stream interpretation") over raw bytes.
 *
 * Cost model: each byte is scanned once by a native memchr (Buffer.indexOf) for CR and LF, and the
 * next CR/LF positions are cached per chunk, so a chunk of n bytes with k lines costs O(n + k), not
 * O(n * k). Only field values are decoded to strings, and only for `data` and `event`. A line split
 * across chunks is copied into one reused byte buffer (doubling), never grown by string
 * concatenation. UTF-8 sequences cannot be cut because decoding happens per complete line.
 */

/**
 * Receives each dispatched event; `eventType` is 'message' unless an `event:` field set it. An
 * object rather than a callback so a per-request handler can be its own sink without allocating a
 * closure per request.
 */
export interface SseSink {
  onSseEvent(eventType: string, data: string): void;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const INITIAL_CARRY_BYTES = 1024;

export class SseParser {
  private readonly sink: SseSink;
  private carry: Buffer | null = null;
  private carryLength = 0;
  /** The previous chunk ended in CR: a LF opening the next chunk belongs to the same line end. */
  private skipLeadingLf = false;
  private atStreamStart = true;
  private eventType: string | null = null;
  private firstData: string | null = null;
  private moreData: string[] | null = null;
  private commentCount = 0;

  constructor(sink: SseSink) {
    this.sink = sink;
  }

  /** Comment lines seen so far (`: keep-alive` and the like). */
  get comments(): number {
    return this.commentCount;
  }

  /** True when bytes of an event that was never terminated by a blank line are buffered. */
  get hasPartialEvent(): boolean {
    return this.carryLength > 0 || this.firstData !== null || this.eventType !== null;
  }

  push(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    if (length === 0) return;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (chunk[0] === LF) pos = 1;
    }
    if (this.atStreamStart) pos = this.skipBom(chunk, pos);
    let nextLf = -2;
    let nextCr = -2;
    while (pos < length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = chunk.indexOf(CR, pos);
      const eol = nextCr === -1 ? nextLf : nextLf === -1 ? nextCr : Math.min(nextLf, nextCr);
      if (eol === -1) {
        this.appendCarry(chunk, pos, length);
        return;
      }
      if (this.carryLength > 0) {
        this.appendCarry(chunk, pos, eol);
        const carry = this.carry as Buffer;
        const carried = this.carryLength;
        this.carryLength = 0;
        this.processLine(carry, 0, carried);
      } else {
        this.processLine(chunk, pos, eol);
      }
      if (chunk[eol] === CR) {
        if (eol + 1 === length) this.skipLeadingLf = true;
        pos = eol + 1 < length && chunk[eol + 1] === LF ? eol + 2 : eol + 1;
      } else {
        pos = eol + 1;
      }
    }
  }

  private skipBom(chunk: Buffer, pos: number): number {
    if (pos >= chunk.length) return pos;
    this.atStreamStart = false;
    if (
      chunk.length - pos >= 3 &&
      chunk[pos] === 0xef &&
      chunk[pos + 1] === 0xbb &&
      chunk[pos + 2] === 0xbf
    ) {
      return pos + 3;
    }
    return pos;
  }

  private appendCarry(chunk: Buffer, start: number, end: number): void {
    const needed = this.carryLength + (end - start);
    if (this.carry === null || this.carry.length < needed) {
      let size = this.carry === null ? INITIAL_CARRY_BYTES : this.carry.length * 2;
      while (size < needed) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      if (this.carry !== null) this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryLength, start, end);
    this.carryLength = needed;
  }

  private processLine(buf: Buffer, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    if (buf[start] === COLON) {
      this.commentCount++;
      return;
    }
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    const nameLength = colon - start;
    let valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    if (nameLength === 4 && isData(buf, start)) {
      this.addData(buf.toString('utf8', valueStart, end));
    } else if (nameLength === 5 && isEvent(buf, start)) {
      this.eventType = buf.toString('utf8', valueStart, end);
    }
    // `id` and `retry` only matter to reconnecting EventSource clients; unknown fields are ignored.
  }

  private addData(value: string): void {
    if (this.firstData === null) this.firstData = value;
    else if (this.moreData === null) this.moreData = [value];
    else this.moreData.push(value);
  }

  private dispatch(): void {
    const first = this.firstData;
    const type = this.eventType;
    const more = this.moreData;
    this.firstData = null;
    this.moreData = null;
    this.eventType = null;
    if (first === null) return;
    const data = more === null ? first : first + '\n' + more.join('\n');
    this.sink.onSseEvent(type === null || type === '' ? 'message' : type, data);
  }
}

function isData(buf: Buffer, at: number): boolean {
  return buf[at] === 0x64 && buf[at + 1] === 0x61 && buf[at + 2] === 0x74 && buf[at + 3] === 0x61;
}

function isEvent(buf: Buffer, at: number): boolean {
  return (
    buf[at] === 0x65 &&
    buf[at + 1] === 0x76 &&
    buf[at + 2] === 0x65 &&
    buf[at + 3] === 0x6e &&
    buf[at + 4] === 0x74
  );
}
