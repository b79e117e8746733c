import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../reports/report-schema.ts';
import { parseFormats, writeReports } from '../../reports/write-reports.ts';
import { makeSamples, tempRoot, writeRunDir } from './factories.ts';

const { root, cleanup } = tempRoot();
let a: string;
let b: string;
let other: string;

beforeAll(async () => {
  const shape = { count: 200, ratePerSec: 20 };
  a = await writeRunDir(root, 'a', makeSamples({ ...shape, seed: 1 }));
  b = await writeRunDir(root, 'b', makeSamples({ ...shape, seed: 2, slowdown: 1.3 }));
  other = await writeRunDir(root, 'other', makeSamples({ ...shape, seed: 3 }), { scenario: 'agent-tools' });
});
afterAll(cleanup);

describe('writeReports', () => {
  it('writes html, md and json into the results directory by default', async () => {
    const paths = await writeReports([a]);
    expect(paths.htmlPath).toBe(join(a, 'report.html'));
    expect(paths.markdownPath).toBe(join(a, 'report.md'));
    expect(paths.jsonPath).toBe(join(a, 'report.json'));
    expect(paths.junitPath).toBeUndefined();
    expect(paths.chartPaths.length).toBeGreaterThan(0);
    for (const chart of paths.chartPaths) expect(existsSync(chart)).toBe(true);
    const md = readFileSync(paths.markdownPath!, 'utf8');
    const links = [...md.matchAll(/\]\((charts\/[^)]+\.svg)\)/g)];
    expect(links).toHaveLength(paths.chartPaths.length);
    for (const link of links) expect(existsSync(join(a, link[1]!))).toBe(true);
    const doc = reportSchema.parse(JSON.parse(readFileSync(paths.jsonPath!, 'utf8')));
    expect(doc.runs[0]!.run.scenario).toBe('chat-steady');
    expect(doc.comparison).toBeNull();
  });

  it('writes a self-contained HTML page: no script, stylesheet link or remote reference', async () => {
    const paths = await writeReports([a], { formats: ['html'], outDir: join(root, 'html-only') });
    const html = readFileSync(paths.htmlPath!, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(\s*['"]?https?:/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(5);
    expect(existsSync(join(root, 'html-only', 'report.md'))).toBe(false);
  });

  it('compares two runs of one scenario, baseline first', async () => {
    const out = join(root, 'cmp');
    const paths = await writeReports([a, b], { formats: ['json', 'junit'], outDir: out });
    const doc = reportSchema.parse(JSON.parse(readFileSync(paths.jsonPath!, 'utf8')));
    expect(doc.comparison!.baseline).toBe(a);
    const ttft = doc.comparison!.rows.find((r) => r.metric === 'ttft_ms' && r.stat === 'p95')!;
    expect(ttft.relative!).toBeGreaterThan(0.15);
    expect(ttft.worse).toBe(true);
    expect(readFileSync(paths.junitPath!, 'utf8')).toContain('<testsuites name="agentload"');
  });

  it('does not compare runs of different scenarios unless asked', async () => {
    const out = join(root, 'pair');
    const plain = await writeReports([a, other], { formats: ['json'], outDir: out });
    expect(JSON.parse(readFileSync(plain.jsonPath!, 'utf8')).comparison).toBeNull();
    const forced = await writeReports([a, other], { formats: ['json'], outDir: out, compare: true });
    expect(JSON.parse(readFileSync(forced.jsonPath!, 'utf8')).comparison.sameScenario).toBe(false);
  });

  it('leaves out an invalid plan.json with a note instead of failing', async () => {
    const dir = await writeRunDir(root, 'bad-plan', makeSamples({ count: 50, ratePerSec: 10, seed: 4 }));
    await writeFile(join(dir, 'plan.json'), '{"kind": "agentload.capacity-plan", "schemaVersion": 1}');
    const paths = await writeReports([dir], { formats: ['json', 'html'] });
    const doc = JSON.parse(readFileSync(paths.jsonPath!, 'utf8'));
    expect(doc.runs[0].plan).toBeNull();
    expect(doc.runs[0].notes[0]).toMatch(/plan\.json left out/);
    expect(readFileSync(paths.htmlPath!, 'utf8')).toContain('plan.json left out');
  });

  it('fails with AL_INVALID_RESULTS for a directory that is not a results directory', async () => {
    await expect(writeReports([join(root, 'nope')])).rejects.toMatchObject({ code: 'AL_INVALID_RESULTS' });
    await expect(writeReports([])).rejects.toMatchObject({ code: 'AL_INVALID_CONFIG' });
  });
});

describe('parseFormats', () => {
  it('accepts a list with aliases and rejects unknown names, listing the valid ones', () => {
    expect(parseFormats('html, markdown,JSON,xml')).toEqual(['html', 'md', 'json', 'junit']);
    expect(() => parseFormats('html,pdf')).toThrow(/unknown format "pdf"; use html, md, json, junit/);
    expect(() => parseFormats(' , ')).toThrow(/at least one format/);
  });
});
