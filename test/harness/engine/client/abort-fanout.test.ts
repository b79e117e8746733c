import { describe, expect, it } from 'vitest';
import { unwatchAbort, watchAbort } from '../../../../harness/engine/client/abort-fanout.ts';
import type { AbortWatcher } from '../../../../harness/engine/client/abort-fanout.ts';

function watcher(onAbort: () => void): AbortWatcher {
  return { onAbort, abortPrev: null, abortNext: null };
}

describe('watchAbort', () => {
  it('tells every turn still watching a shared signal once, and none that left', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const watchers = Array.from({ length: 15 }, (_, i) => watcher(() => calls.push(i)));
    for (const w of watchers) watchAbort(controller.signal, w);
    // The newest, the oldest and two in the middle leave; leaving twice or never having joined is harmless.
    for (const i of [14, 0, 3, 7, 7]) unwatchAbort(controller.signal, watchers[i]!);
    unwatchAbort(
      controller.signal,
      watcher(() => calls.push(-1)),
    );
    controller.abort();
    controller.abort();
    expect(calls.sort((a, b) => a - b)).toEqual([1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13]);
  });

  it('lets a turn leave from inside its own onAbort, as a settling turn does', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const watchers: AbortWatcher[] = [];
    for (let i = 0; i < 5; i++) {
      const w = watcher(() => {
        calls.push(i);
        unwatchAbort(controller.signal, w);
      });
      watchers.push(w);
      watchAbort(controller.signal, w);
    }
    controller.abort();
    expect(calls.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(watchers.every((w) => w.abortPrev === null && w.abortNext === null)).toBe(true);
  });

  it('a turn that left can join another signal and is told only by that one', () => {
    const first = new AbortController();
    const second = new AbortController();
    let calls = 0;
    const w = watcher(() => calls++);
    const other = watcher(() => undefined);
    watchAbort(first.signal, other);
    watchAbort(first.signal, w);
    unwatchAbort(first.signal, w);
    watchAbort(second.signal, w);
    first.abort();
    expect(calls).toBe(0);
    second.abort();
    expect(calls).toBe(1);
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
      const w = watcher(() => undefined);
      watchAbort(controller.signal, w);
      unwatchAbort(controller.signal, w);
    }
    expect(added).toBe(1);
  });
});
