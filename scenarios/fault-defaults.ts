/**
 * What the fault scenarios (cold-start, outage-*) share, so that each file shows only what makes it
 * different: its rate, its faults and phases, its tool share. 30 s of open-model turns sized for this
 * 2-core machine; gracefulStop long enough for turns held up by a fault to finish and be audited.
 */
export function faultTraffic(ratePerSec: number) {
  return {
    traffic: {
      executor: 'constant-arrival-rate' as const,
      rate: ratePerSec,
      duration: '30s',
      preAllocatedVUs: 8,
      maxVUs: 48,
      gracefulStop: '20s',
    },
  };
}

/** Short prompts and answers: faults, not token volume, are what these scenarios load. */
export const faultTokenMix = {
  inputTokens: { kind: 'uniform' as const, min: 20, max: 120 },
  maxTokens: { kind: 'uniform' as const, min: 24, max: 64 },
};
