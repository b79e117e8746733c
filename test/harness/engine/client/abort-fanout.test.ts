import { describe, expect, it } from 'vitest';
import { unwatchAbort, watchAbort } from '../../../../harness/engine/client/abort-fanout.ts';

describe('watchAbort', () => {
  it('tells every turn still watching a shared signal once, and none that left', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const watchers = Array.from({ length: 15 }, (_, i) => ({ onAbort: () => calls.push(i) }));
    for (const w of watchers) watchAbort(controller.signal, w);
    unwatchAbort(controller.signal, watchers[3]!);
    unwatchAbort(controller.signal, watchers[7]!);
    controller.abort();
    controller.abort();
    expect(calls.sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('keeps one listener per signal however many turns join and leave', () => {
    const controller = new AbortController();
    let added = 0;
    const original = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof original>) => {
      added += 1;
      return original(...args);
    }) as typeof original;
    for (let i = 0; i < 100; i += 1) {
      const w = { onAbort: () => undefined };
      watchAbort(controller.signal, w);
      unwatchAbort(controller.signal, w);
    }
    expect(added).toBe(1);
  });
});
