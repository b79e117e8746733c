import type { Recorder } from '../metrics/recorder.ts';
import { scrapeOnce, type ScrapeResult } from '../metrics/scrape.ts';
import type { Clock } from './clock.ts';
import type { Point } from './drift.ts';
import type { Progress } from './progress.ts';

export type Scrape = (urls: readonly string[]) => Promise<ScrapeResult>;

/** Reads the servers' resident memory into the queueSize slot of a second, drift-only scrape. */
const RSS_NAMES = {
  queueSize: 'process_resident_memory_bytes',
  batchSize: 'agentload_unused_batch',
  agentInFlight: 'agentload_unused_in_flight',
  breakerOpen: 'agentload_unused_breaker',
};
export const scrapeRss: Scrape = (urls) => scrapeOnce(urls, { names: RSS_NAMES });

export interface TickDeps {
  plannedSec: number;
  recorder: Recorder;
  inFlight: () => number;
  isFinished: () => boolean;
  metricsUrls: readonly string[];
  scrape: Scrape | null;
  /** When set, server memory is scraped too and appended here (drift). */
  rss: { scrape: Scrape; points: Point[] } | null;
  onProgress: ((p: Progress) => void) | undefined;
  onThresholdAbort: (reason: string) => void;
}

/** Once a second on the run's clock: progress, live thresholds, a /metrics scrape (never overlapping). */
export function runTicks(clock: Clock, halt: AbortSignal, deps: TickDeps): { done(): Promise<void> } {
  const stopTicks = new AbortController();
  const stopped = AbortSignal.any([stopTicks.signal, halt]);
  let scraping: Promise<void> | null = null;
  const loop = (async () => {
    for (let second = 1; !stopped.aborted; second++) {
      await clock.sleepUntil(second * 1000, stopped);
      if (stopped.aborted) break;
      const nowMs = clock.now();
      const snap = deps.recorder.snapshot(nowMs);
      deps.onProgress?.({
        elapsedSec: nowMs / 1000,
        plannedSec: deps.plannedSec,
        phase: snap.phase,
        finishedPerSec: snap.lastSecondFinished,
        inFlight: deps.inFlight(),
        requests: snap.requests,
        ttftP95Ms: snap.ttftP95Ms,
        errorRate: snap.errorRate,
        dropped: snap.dropped,
        degraded: snap.degraded,
      });
      const failing = deps.recorder.checkThresholds(nowMs);
      if (failing.length > 0) {
        const v = failing[0]!;
        deps.onThresholdAbort(`${v.spec.metric} ${v.spec.expression} failed (actual ${v.actual ?? 'none'})`);
      }
      if (deps.scrape && deps.metricsUrls.length > 0 && !scraping) {
        const { scrape, rss } = deps;
        scraping = Promise.all([scrape(deps.metricsUrls), rss?.scrape(deps.metricsUrls)])
          .then(([r, memory]) => {
            const atMs = clock.now();
            if (!deps.isFinished()) deps.recorder.addScrape(atMs, r.gauges);
            const bytes = memory?.gauges.queueSize;
            if (rss && bytes !== null && bytes !== undefined)
              rss.points.push({ tSec: atMs / 1000, value: bytes });
          })
          .catch(() => {})
          .finally(() => {
            scraping = null;
          });
      }
    }
  })();
  return {
    async done() {
      stopTicks.abort();
      await loop;
      await scraping;
    },
  };
}
