import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRun } from '../../reports/load.ts';
import { makeSamples, makeSummary, tempRoot, writeRunDir } from './factories.ts';

const { root, cleanup } = tempRoot('agentload-load-');
afterAll(cleanup);

describe('loadRun', () => {
  it('reads a summary file given by path, labelled by the file name', async () => {
    const path = join(root, 'baseline.json');
    await writeFile(path, JSON.stringify(makeSummary()));
    const run = await loadRun(path);
    expect(run).toMatchObject({ label: 'baseline.json', dir: root, timeseries: null, plan: null });
    expect(run.summary.run.id).toBe('run-42');
  });

  it("reads a results directory's summary.json given by path as the whole directory", async () => {
    const dir = await writeRunDir(root, 'run-a', makeSamples({ seed: 1, count: 50, ratePerSec: 10 }));
    const byDir = await loadRun(dir);
    const byFile = await loadRun(join(dir, 'summary.json'));
    expect(byFile.source).toBe(join(dir, 'summary.json'));
    expect(byFile.timeseries).not.toBeNull();
    expect(byFile.samplesPath).toBe(join(dir, 'samples.ndjson.gz'));
    expect({ ...byFile, source: byDir.source }).toEqual(byDir);
    expect(byDir.label).toBe('run-a');
  });

  it('rejects a summary file written by a newer agentload with the upgrade hint', async () => {
    const path = join(root, 'future.json');
    await writeFile(path, JSON.stringify({ ...makeSummary(), schemaVersion: 99 }));
    await expect(loadRun(path)).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringContaining('schemaVersion 99'),
      hint: expect.stringContaining('newer'),
    });
  });

  it('rejects a summary file that does not parse, naming it', async () => {
    const path = join(root, 'broken.json');
    await writeFile(path, '{"schemaVersion": 1,');
    await expect(loadRun(path)).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringMatching(/broken\.json is not valid JSON/),
    });
  });
});
