/**
 * Deterministic request lengths for the calibration simulation. A benchmark that samples a
 * dataset (ShareGPT) is represented by lognormal lengths with the dataset's mean; the i-th request
 * takes the lognormal quantile at the i-th point of a van der Corput sequence, so any prefix of
 * the requests covers the distribution evenly (long ones are not all at the end) and no RNG is
 * involved. Inputs use base 3 and outputs base 2, so the two are not correlated.
 */
import { normalQuantile } from '../../../harness/metrics/normal-quantile.ts';

export interface RequestLengths {
  inputTokens: number;
  outputTokens: number;
}

/** i-th point (i >= 1) of the van der Corput sequence in `base`, in (0, 1). */
export function vanDerCorput(index: number, base: number): number {
  let result = 0;
  let denominator = 1;
  for (let n = index; n > 0; n = Math.floor(n / base)) {
    denominator *= base;
    result += (n % base) / denominator;
  }
  return result;
}

/** Lognormal quantile with the given mean: median = mean / e^(sigma^2 / 2). */
export function lognormalQuantile(meanTokens: number, sigma: number, p: number): number {
  const median = meanTokens / Math.exp((sigma * sigma) / 2);
  return median * Math.exp(sigma * normalQuantile(p));
}

/** Fixed lengths when sigma is 0, else the deterministic lognormal sequence described above. */
export function lengthSequence(
  inputMean: number,
  outputMean: number,
  sigma: number,
): (index: number) => RequestLengths {
  if (sigma === 0) return () => ({ inputTokens: inputMean, outputTokens: outputMean });
  return (index) => ({
    inputTokens: Math.max(1, Math.round(lognormalQuantile(inputMean, sigma, vanDerCorput(index + 1, 3)))),
    outputTokens: Math.max(1, Math.round(lognormalQuantile(outputMean, sigma, vanDerCorput(index + 1, 2)))),
  });
}
