/**
 * Execution segments with k6's semantics (k6 lib/execution_segment.go), so N agentload processes on
 * N machines share one scenario's load exactly: `--segment 1/4:1/2 --segment-sequence 0,1/4,1/2,1`.
 *
 * A segment (from, to] is a fraction of the work; a sequence is the full chain 0 = r0 < r1 < ... < rn
 * = 1 the parts are cut from (missing ends are filled in, as k6 does). Work items (iterations, VUs)
 * are *striped*, not cut in blocks: with L = the least common denominator of the segment lengths,
 * every run of L consecutive items gives each segment exactly length x L of them, at positions
 * chosen so that a segment's items are as evenly spaced as possible (k6's striping: for each of
 * the L slots, biggest segment first, a segment takes slot i when i >= taken x L / (length x L)).
 * So the union of every segment's items is the unsegmented run, item for item, and
 *   scale(n) = floor(n / L) x k + |{p in positions : p < n mod L}|   (k = positions per cycle)
 * sums to n over the segments for every n (k6 ExecutionTuple.ScaleInt64).
 */
import type { ExecutorConfig, RampingVusConfig, StageMs } from '../config/executor-schema.ts';
import type { Scenario } from '../config/scenario-schema.ts';
import { InvalidConfigError } from '../errors.ts';
import { rampingVusSteps } from './executors/ramping-vus.ts';

export interface Fraction {
  readonly num: number;
  readonly den: number;
}

export interface ExecutionSegment {
  readonly from: Fraction;
  readonly to: Fraction;
}

/** One process's share of a split run. */
export interface SegmentPlan {
  /** Canonical segment, e.g. "1/4:1/2" (k6 RatString form). */
  readonly segment: string;
  /** The filled sequence it belongs to, e.g. "0,1/4,1/2,1". */
  readonly sequence: string;
  /** Position of the segment in the sequence, and the number of segments. */
  readonly index: number;
  readonly count: number;
  /** Length of one striping cycle (the LCD of the segment lengths). */
  readonly lcd: number;
  /** Slots of each cycle that belong to this segment, ascending. */
  readonly positions: readonly number[];
  /** True for the segment that starts at 0: the one that runs scenario-wide side effects (faults). */
  readonly first: boolean;
}

/** Striping cycles longer than this are refused (they only come from odd decimals like 0.3333333). */
const MAX_LCD = 1_000_000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function reduce(num: number, den: number): Fraction {
  const g = gcd(Math.abs(num), den) || 1;
  return { num: num / g, den: den / g };
}

const cmp = (a: Fraction, b: Fraction): number => a.num * b.den - b.num * a.den;
const sub = (a: Fraction, b: Fraction): Fraction => reduce(a.num * b.den - b.num * a.den, a.den * b.den);
const ZERO: Fraction = { num: 0, den: 1 };
const ONE: Fraction = { num: 1, den: 1 };

export function formatFraction(f: Fraction): string {
  return f.den === 1 ? String(f.num) : `${f.num}/${f.den}`;
}

/** "1/4", "0.25", "25%" or "1"; null when it is none of those. */
export function parseFraction(text: string): Fraction | null {
  const t = text.trim();
  let m = /^(\d+)%$/.exec(t);
  if (m) return reduce(Number(m[1]), 100);
  m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) return Number(m[2]) > 0 ? reduce(Number(m[1]), Number(m[2])) : null;
  m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) return null;
  const decimals = m[2] ?? '';
  if (decimals.length > 6) return null;
  return reduce(Number(`${m[1]}${decimals}`), 10 ** decimals.length);
}

function fail(path: string, message: string): never {
  throw new InvalidConfigError('execution segment', [{ path, message }], SEGMENT_HINT);
}

const SEGMENT_HINT =
  'Segments are "from:to" fractions of the load, 0 <= from < to <= 1 ("0:1/2", "1/2:1", "25%:50%"); ' +
  'a sequence lists the cut points of all parts ("0,1/3,2/3,1"). Give every process of one run the same sequence.';

function makeSegment(from: Fraction, to: Fraction, path: string, text: string): ExecutionSegment {
  if (cmp(from, to) >= 0) fail(path, `"${text}": the start must be below the end`);
  if (cmp(to, ONE) > 0) fail(path, `"${text}": the end must be at most 1`);
  return { from, to };
}

/** `1/4:1/2`, or `1/4` for `0:1/4`; empty means the whole run. @throws InvalidConfigError */
export function parseSegment(text: string, path = '--segment'): ExecutionSegment {
  const t = text.trim();
  if (t === '') return { from: ZERO, to: ONE };
  const [fromText, toText] = t.includes(':') ? t.split(':', 2) : ['0', t];
  const from = parseFraction(fromText!);
  const to = parseFraction(toText!);
  if (!from || !to) fail(path, `"${text}" is not a segment of fractions, decimals or percentages`);
  return makeSegment(from, to, path, text);
}

/** `0,1/4,1/2,1`: at least two increasing points. @throws InvalidConfigError */
export function parseSequence(text: string, path = '--segment-sequence'): ExecutionSegment[] {
  const points = text.split(',').map((p) => ({ p, f: parseFraction(p) }));
  if (points.length < 2) fail(path, `"${text}" needs at least 2 points`);
  const bad = points.find((x) => x.f === null);
  if (bad) fail(path, `"${bad.p}" is not a fraction, decimal or percentage`);
  return points.slice(1).map((x, i) => makeSegment(points[i]!.f!, x.f!, path, text));
}

const segmentText = (s: ExecutionSegment): string => `${formatFraction(s.from)}:${formatFraction(s.to)}`;

/** k6 GetFilledExecutionSegmentSequence: pads the sequence (or the lone segment) out to 0 and 1. */
function filledSequence(segment: ExecutionSegment, sequence: ExecutionSegment[] | null): ExecutionSegment[] {
  const out = sequence && sequence.length > 0 ? [...sequence] : [segment];
  if (cmp(out[0]!.from, ZERO) !== 0) out.unshift({ from: ZERO, to: out[0]!.from });
  if (cmp(out[out.length - 1]!.to, ONE) !== 0) out.push({ from: out[out.length - 1]!.to, to: ONE });
  return out;
}

/** The striped slots of every segment of a full sequence (k6 NewExecutionSegmentSequenceWrapper). */
function stripeSlots(sequence: readonly ExecutionSegment[]): { lcd: number; slots: number[][] } {
  const lengths = sequence.map((s) => sub(s.to, s.from));
  const lcd = lengths.reduce((acc, l) => (acc * l.den) / gcd(acc, l.den), 1);
  if (lcd > MAX_LCD)
    fail('--segment-sequence', `the striping cycle would be ${lcd} long; use simpler fractions`);
  const norm = lengths.map((l) => l.num * (lcd / l.den));
  const order = norm.map((n, i) => ({ n, i })).sort((a, b) => b.n - a.n);
  const taken = order.map(() => 0);
  const slots: number[][] = sequence.map(() => []);
  for (let slot = 0; slot < lcd; slot++) {
    for (let k = 0; k < order.length; k++) {
      const num = taken[k]! * lcd;
      const den = order[k]!.n;
      const due = Math.floor(num / den);
      if (slot > due || (slot === due && num % den === 0)) {
        taken[k]! += 1;
        slots[order[k]!.i]!.push(slot);
        break;
      }
    }
  }
  return { lcd, slots };
}

/**
 * This process's share, or null for the whole run (no segment, or 0:1 without a sequence).
 * @throws InvalidConfigError when a text does not parse or the segment is not in the sequence.
 */
export function executionSegment(segmentText_?: string, sequenceText?: string): SegmentPlan | null {
  if (segmentText_ === undefined && sequenceText === undefined) return null;
  const segment = parseSegment(segmentText_ ?? '');
  const sequence = sequenceText === undefined ? null : parseSequence(sequenceText);
  const whole = cmp(segment.from, ZERO) === 0 && cmp(segment.to, ONE) === 0;
  if (whole && !sequence) return null;
  const filled = filledSequence(segment, sequence);
  for (let i = 1; i < filled.length; i++) {
    if (cmp(filled[i]!.from, filled[i - 1]!.to) !== 0) {
      fail(
        '--segment-sequence',
        `"${sequenceText}" has a gap or overlap at ${formatFraction(filled[i]!.from)}`,
      );
    }
  }
  const index = filled.findIndex((s) => cmp(s.from, segment.from) === 0 && cmp(s.to, segment.to) === 0);
  if (index < 0) {
    fail(
      '--segment',
      `segment ${segmentText(segment)} is not one of the parts of ${filled.map(segmentText).join(', ')}`,
    );
  }
  const { lcd, slots } = stripeSlots(filled);
  return Object.freeze({
    segment: segmentText(segment),
    sequence: [formatFraction(filled[0]!.from), ...filled.map((s) => formatFraction(s.to))].join(','),
    index,
    count: filled.length,
    lcd,
    positions: Object.freeze(slots[index]!),
    first: cmp(segment.from, ZERO) === 0,
  });
}

/** Whether the 0-based global item `index` (iteration, VU number - 1) belongs to this segment. */
export function includes(plan: SegmentPlan, index: number): boolean {
  const slot = index % plan.lcd;
  let lo = 0;
  let hi = plan.positions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = plan.positions[mid]!;
    if (p === slot) return true;
    if (p < slot) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** This segment's share of `value` indivisible things (VUs); the shares of a sequence sum to value. */
export function scaleCount(plan: SegmentPlan | null, value: number): number {
  if (!plan) return value;
  const whole = Math.floor(value / plan.lcd) * plan.positions.length;
  const rest = value % plan.lcd;
  return whole + plan.positions.filter((p) => p < rest).length;
}

/** The items of `items` whose position (0-based) belongs to this segment; all of them for null. */
export function* stripe<T>(items: Iterable<T>, plan: SegmentPlan | null): Generator<T> {
  let index = 0;
  for (const item of items) {
    if (!plan || includes(plan, index)) yield item;
    index += 1;
  }
}

/**
 * A ramping-vus stage list whose VU count is this segment's share of the original's at every
 * moment: k6 starts and stops the VUs of a segment exactly when the whole run's VU number
 * crosses one of the segment's striped slots, i.e. segment VUs(t) = scale(VUs(t)). Written as
 * jumps (zero-length stages) and holds, which ramping-vus runs exactly.
 */
function segmentRampingVus(c: RampingVusConfig, plan: SegmentPlan): RampingVusConfig {
  const totalMs = c.stages.reduce((a, s) => a + s.durationMs, 0);
  const steps = rampingVusSteps(c.startVUs, c.stages);
  const stages: StageMs[] = [];
  let atMs = 0;
  const startVUs = scaleCount(plan, steps[0]!.vus);
  let vus = startVUs;
  for (const step of steps.slice(1)) {
    const next = scaleCount(plan, step.vus);
    if (next === vus) continue;
    if (step.atMs > atMs) stages.push({ durationMs: step.atMs - atMs, target: vus });
    stages.push({ durationMs: 0, target: next });
    atMs = step.atMs;
    vus = next;
  }
  if (totalMs > atMs || stages.length === 0) stages.push({ durationMs: totalMs - atMs, target: vus });
  return { ...c, startVUs, stages };
}

/**
 * One executor's config for this segment, as k6 scales it: VU counts (vus, preAllocatedVUs,
 * maxVUs, ramping-vus targets) become this segment's share; arrival schedules stay whole here
 * because the open-model dispatcher keeps only this segment's iterations of the full schedule.
 */
export function segmentExecutorConfig(c: ExecutorConfig, plan: SegmentPlan | null): ExecutorConfig {
  if (!plan) return c;
  switch (c.executor) {
    case 'constant-vus':
    case 'per-vu-iterations':
      return { ...c, vus: scaleCount(plan, c.vus) };
    case 'ramping-vus':
      return segmentRampingVus(c, plan);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
    case 'session-arrivals':
      return {
        ...c,
        preAllocatedVUs: scaleCount(plan, c.preAllocatedVUs),
        maxVUs: scaleCount(plan, c.maxVUs),
      };
  }
}

/**
 * The scenario one segment runs: its executors scaled; the fault timeline only in the segment that
 * starts at 0 (a fault is one action on the shared stack, not a share of the load).
 */
export function segmentScenario(scenario: Scenario, plan: SegmentPlan | null): Scenario {
  if (!plan) return scenario;
  const executors = Object.fromEntries(
    Object.entries(scenario.executors).map(([name, c]) => [
      name,
      segmentExecutorConfig(c as ExecutorConfig, plan),
    ]),
  );
  return Object.freeze({
    ...scenario,
    executors: Object.freeze(executors),
    faults: plan.first ? scenario.faults : Object.freeze([]),
  }) as Scenario;
}
