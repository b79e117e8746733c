/** What the live progress line shows, once a second (numbers; formatProgress makes the text). */
export interface Progress {
  elapsedSec: number;
  /** Planned load time (executors' startTime + duration), s. */
  plannedSec: number;
  phase: string | null;
  /** Requests that finished in the last whole second. */
  finishedPerSec: number;
  inFlight: number;
  requests: number;
  ttftP95Ms: number | null;
  /** failed / finished so far, 0-1; null before anything finished. */
  errorRate: number | null;
  dropped: number;
  degraded: number;
}

const num = (n: number, digits = 0): string => n.toFixed(digits);

export function formatProgress(p: Progress): string {
  const remainingSec = Math.max(0, p.plannedSec - p.elapsedSec);
  const parts = [
    `${num(p.elapsedSec)}s/${num(p.plannedSec)}s (${num(remainingSec)}s left)`,
    p.phase ? `phase ${p.phase}` : null,
    `rate ${num(p.finishedPerSec, 1)}/s`,
    `in-flight ${p.inFlight}`,
    `p95 TTFT ${p.ttftP95Ms === null ? '-' : `${num(p.ttftP95Ms)} ms`}`,
    `errors ${p.errorRate === null ? '-' : `${num(p.errorRate * 100, 1)}%`}`,
    `dropped ${p.dropped}`,
    p.degraded > 0 ? `degraded ${p.degraded}` : null,
    `requests ${p.requests}`,
  ];
  return parts.filter((x) => x !== null).join('  ');
}
