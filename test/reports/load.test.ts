import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../../reports/load.ts';
import { makeSummary } from './summary-factory.ts';

describe('loadRun', () => {
  it('reads a summary file given by path, labelled by the file name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agentload-load-'));
    const path = join(root, 'baseline.json');
    await writeFile(path, JSON.stringify(makeSummary()));
    const run = await loadRun(path);
    expect(run).toMatchObject({ label: 'baseline.json', dir: root, timeseries: null, plan: null });
    expect(run.summary.run.id).toBe('run-42');
  });

  it('rejects a summary file written by a newer agentload with the upgrade hint', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agentload-load-'));
    const path = join(root, 'future.json');
    await writeFile(path, JSON.stringify({ ...makeSummary(), schemaVersion: 99 }));
    await expect(loadRun(path)).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringContaining('schemaVersion 99'),
      hint: expect.stringContaining('newer'),
    });
  });

  it('rejects a summary file that does not parse, naming it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agentload-load-'));
    const path = join(root, 'broken.json');
    await writeFile(path, '{"schemaVersion": 1,');
    await expect(loadRun(path)).rejects.toMatchObject({
      code: 'AL_INVALID_RESULTS',
      message: expect.stringMatching(/broken\.json is not valid JSON/),
    });
  });
});
