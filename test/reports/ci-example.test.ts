import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadGateConfig } from '../../reports/gate/config.ts';

describe('examples/ci', () => {
  it('has a workflow that runs a scenario, gates it and posts the Markdown to the step summary', () => {
    const text = readFileSync('examples/ci/github-actions.yml', 'utf8');
    const workflow = parse(text) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = Object.values(workflow.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ''))
      .join('\n');
    expect(runs).toMatch(/agentload\.js run "\$SCENARIO"/);
    expect(runs).toMatch(
      /agentload\.js gate --current [^\n]*\\\n\s*--config examples\/ci\/gate\.yml --out gate-report/,
    );
    expect(runs).toMatch(/cat gate-report\/report\.md >> "\$GITHUB_STEP_SUMMARY"/);
  });

  it('ships a gate.yml that the gate accepts', async () => {
    const config = await loadGateConfig('examples/ci/gate.yml');
    expect(config.rules.length).toBe(4);
    expect(config.thresholds.map((t) => t.expression)).toEqual(['rate<0.01']);
  });
});
