import { describe, expect, it } from 'vitest';
import type { Summary } from '../../harness/results/schema.ts';
import { runSections } from '../../reports/html-run.ts';
import { buildRunReport } from '../../reports/run-report.ts';
import { loadedOf, makeSummary } from './factories.ts';

const sectionsOf = (summary: Summary): string => {
  const loaded = loadedOf(summary);
  return runSections(buildRunReport(loaded), loaded, [], '');
};

describe('runSections', () => {
  it("shows the generator's busiest CPU window next to its average when the summary records it", () => {
    const base = makeSummary().generator;
    const html = sectionsOf(makeSummary({ generator: { ...base, cpuPercent: 31, cpuPeakPercent: 92 } }));
    expect(html).toContain('CPU 31% (peak 92% over 5 s)');
    for (const cpuPeakPercent of [null, undefined]) {
      const older = sectionsOf(makeSummary({ generator: { ...base, cpuPercent: 31, cpuPeakPercent } }));
      expect(older).toContain('CPU 31%');
      expect(older).not.toContain('peak');
    }
  });
});
