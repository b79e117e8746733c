/**
 * One 'abort' listener per AbortSignal, however many turns watch it. Executors hand every iteration
 * the same signal; Node's EventTarget scans its whole listener list on each add and remove, so one
 * listener per turn would cost O(turns in flight) per send. Here a turn joins or leaves a Set.
 *
 * The listener stays on the signal after its last turn left (re-adding it per turn is what this
 * avoids); the WeakMap does not keep the signal alive.
 */
export interface AbortWatcher {
  onAbort(): void;
}

class Fanout {
  readonly watchers = new Set<AbortWatcher>();

  handleEvent(): void {
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) w.onAbort();
  }
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/** Calls `watcher.onAbort()` once when `signal` aborts, unless unwatch() came first. */
export function watchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  let fanout = fanouts.get(signal);
  if (fanout === undefined) {
    fanout = new Fanout();
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', fanout, { once: true });
  }
  fanout.watchers.add(watcher);
}

export function unwatchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  fanouts.get(signal)?.watchers.delete(watcher);
}
