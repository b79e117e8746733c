import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../harness/errors.ts';
import { parseDemand } from '../../planner/demand.ts';
import { InvalidResultsError } from '../../harness/results/errors.ts';
import { NoSweepError, PlanInputMissingError } from '../../planner/errors.ts';
import { loadStructuredFile, loadSweepResults } from '../../planner/inputs.ts';
import { resolvePolicy } from '../../planner/policy.ts';
import { makeSweepSummary } from './factories.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'agentload-plan-'));
}

describe('loadSweepResults', () => {
  it('reads a results directory, a summary file, or a directory of results directories', () => {
    const root = tmp();
    for (const name of ['a', 'b']) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'summary.json'), JSON.stringify(makeSweepSummary({ runId: name })));
    }
    expect(loadSweepResults([join(root, 'a')]).map((r) => r.summary.run.id)).toEqual(['a']);
    expect(loadSweepResults([join(root, 'b', 'summary.json')]).map((r) => r.summary.run.id)).toEqual(['b']);
    expect(
      loadSweepResults([root])
        .map((r) => r.summary.run.id)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('says a missing path is missing, with a hint', () => {
    const run = () => loadSweepResults(['/nonexistent/results']);
    expect(run).toThrow(PlanInputMissingError);
    try {
      run();
    } catch (e) {
      expect((e as PlanInputMissingError).hint).toMatch(/results directory of a sweep/);
    }
  });

  it('rejects a directory with no sweep results', () => {
    const root = tmp();
    mkdirSync(join(root, 'smoke'));
    writeFileSync(join(root, 'smoke', 'summary.json'), JSON.stringify(makeSweepSummary({ steps: [] })));
    expect(() => loadSweepResults([root])).toThrow(NoSweepError);
  });

  it('rejects a file that is not an agentload summary, naming the bad fields', () => {
    const root = tmp();
    writeFileSync(join(root, 'summary.json'), JSON.stringify({ ...makeSweepSummary(), kind: 'k6' }));
    expect(() => loadSweepResults([root])).toThrow(InvalidResultsError);
    expect(() => loadSweepResults([root])).toThrow(/kind/);
  });

  it('rejects a summary written by a newer agentload with the upgrade hint, not a list of schema issues', () => {
    const root = tmp();
    writeFileSync(join(root, 'summary.json'), JSON.stringify({ ...makeSweepSummary(), schemaVersion: 99 }));
    expect(() => loadSweepResults([root])).toThrow(InvalidResultsError);
    expect(() => loadSweepResults([root])).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('schemaVersion 99'),
        hint: expect.stringContaining('newer'),
      }),
    );
  });
});

describe('loadStructuredFile', () => {
  it('reads YAML and reports a missing file', () => {
    const root = tmp();
    writeFileSync(join(root, 'd.yaml'), 'peakRequestsPerSec: 5\n');
    expect(loadStructuredFile(join(root, 'd.yaml'), 'demand')).toEqual({ peakRequestsPerSec: 5 });
    expect(() => loadStructuredFile(join(root, 'none.yaml'), 'demand')).toThrow(PlanInputMissingError);
  });
});

describe('parseDemand and resolvePolicy', () => {
  it('lists every demand problem with its path', () => {
    try {
      parseDemand({ meanOutputTokens: -1, spikes: [{ atSec: 1 }] }, 'demand.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidConfigError);
      const paths = (e as InvalidConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['meanOutputTokens', 'spikes[0].durationSec', 'spikes[0].multiplier']),
      );
    }
  });

  it('fills policy defaults and rejects region shares that do not sum to 1', () => {
    const p = resolvePolicy({});
    expect(p).toMatchObject({ utilizationTarget: 0.8, redundancy: { kind: 'n+1' }, gpusPerNode: 8 });
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => resolvePolicy({ regions: [{ name: 'eu', demandShare: 0.5 }] })).toThrow(/sum to 0.5/);
    expect(() => resolvePolicy({ redundancy: 'zones:1' })).toThrow(InvalidConfigError);
  });
});
