import { describe, expect, it } from 'vitest';
import { ToolFaults } from '../../../reference-service/tools/faults.ts';

function share(faults: ToolFaults, tool: string, action: string, draws = 10_000): number {
  let hits = 0;
  for (let i = 0; i < draws; i += 1) if (faults.decide(tool) === action) hits += 1;
  return hits / draws;
}

describe('ToolFaults', () => {
  it('injects nothing by default', () => {
    const faults = new ToolFaults(1);
    expect(share(faults, 'get_weather', 'none', 1_000)).toBe(1);
    expect(faults.latencyMultiplierFor('get_weather')).toBe(1);
  });

  it('fails close to the configured share of calls', () => {
    const faults = new ToolFaults(3);
    faults.set({ errorRate: 0.3 });
    expect(share(faults, 'get_weather', 'error')).toBeCloseTo(0.3, 1);
  });

  it('splits one draw between reset and error without overlap', () => {
    const faults = new ToolFaults(5);
    faults.set({ resetRate: 0.4, errorRate: 0.6 });
    expect(share(faults, 'lookup_order', 'none', 2_000)).toBe(0);
  });

  it('makes the same decisions for the same seed', () => {
    const a = new ToolFaults(11);
    const b = new ToolFaults(11);
    a.set({ errorRate: 0.5 });
    b.set({ errorRate: 0.5 });
    const seq = (f: ToolFaults) => Array.from({ length: 50 }, () => f.decide('x'));
    expect(seq(a)).toEqual(seq(b));
  });

  it('merges patches and clears back to no faults', () => {
    const faults = new ToolFaults(1);
    faults.set({ errorRate: 0.1 });
    expect(faults.set({ latencyMultiplier: 3 })).toMatchObject({ errorRate: 0.1, latencyMultiplier: 3 });
    expect(faults.reset()).toMatchObject({ errorRate: 0, latencyMultiplier: 1, tools: [] });
  });

  it('applies the latency multiplier only to scoped tools', () => {
    const faults = new ToolFaults(1);
    faults.set({ latencyMultiplier: 4, tools: ['search_knowledge'] });
    expect(faults.latencyMultiplierFor('search_knowledge')).toBe(4);
    expect(faults.latencyMultiplierFor('get_weather')).toBe(1);
  });

  it('rejects invalid settings listing every problem', () => {
    const faults = new ToolFaults(1);
    expect(() => faults.set({ errorRate: 1.5, latencyMultiplier: 0 })).toThrow(
      expect.objectContaining({
        code: 'AL_INVALID_CONFIG',
        issues: expect.arrayContaining([expect.anything(), expect.anything()]),
      }),
    );
    expect(() => faults.set({ unknown: 1 } as never)).toThrow(/unknown/i);
    expect(faults.state().errorRate).toBe(0);
  });

  it('hangs only the scoped tools', () => {
    const faults = new ToolFaults(1);
    faults.set({ hang: true, tools: ['lookup_order'] });
    expect(faults.isHanging('lookup_order')).toBe(true);
    expect(faults.isHanging('get_weather')).toBe(false);
  });

  it('releases a hanging wait when the hang is lifted', async () => {
    const faults = new ToolFaults(1);
    faults.set({ hang: true });
    const wait = faults.waitWhileHanging('get_weather', new AbortController().signal);
    expect(faults.hangingCount).toBe(1);
    faults.set({ hang: false });
    await wait;
    expect(faults.hangingCount).toBe(0);
  });

  it('releases a hanging wait when its signal aborts', async () => {
    const faults = new ToolFaults(1);
    faults.set({ hang: true });
    const controller = new AbortController();
    const wait = faults.waitWhileHanging('get_weather', controller.signal);
    controller.abort();
    await wait;
    expect(faults.hangingCount).toBe(0);
  });
});
