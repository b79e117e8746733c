/**
 * One 'abort' listener per AbortSignal, however many turns watch it. Executors hand every iteration
 * the same signal; Node's EventTarget scans its whole listener list on each add and remove, so one
 * listener per turn would cost O(turns in flight) per send. Here a turn joins or leaves a list.
 *
 * The listener stays on the signal after its last turn left (re-adding it per turn is what this
 * avoids); the WeakMap does not keep the signal alive.
 */
export interface AbortWatcher {
  onAbort(): void;
  /** The watcher's place in its signal's list (set by watchAbort, cleared by unwatchAbort). */
  abortPrev: AbortWatcher | null;
  abortNext: AbortWatcher | null;
}

/** The watchers of one signal, as an intrusive doubly-linked list: O(1) join and leave, no hashing. */
class Fanout {
  head: AbortWatcher | null = null;

  add(w: AbortWatcher): void {
    w.abortPrev = null;
    w.abortNext = this.head;
    if (this.head !== null) this.head.abortPrev = w;
    this.head = w;
  }

  remove(w: AbortWatcher): void {
    if (w.abortPrev === null && this.head !== w) return; // not in the list
    if (w.abortPrev !== null) w.abortPrev.abortNext = w.abortNext;
    else this.head = w.abortNext;
    if (w.abortNext !== null) w.abortNext.abortPrev = w.abortPrev;
    w.abortPrev = null;
    w.abortNext = null;
  }

  handleEvent(): void {
    let w = this.head;
    this.head = null;
    while (w !== null) {
      const next = w.abortNext;
      w.abortPrev = null;
      w.abortNext = null;
      w.onAbort();
      w = next;
    }
  }
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Calls `watcher.onAbort()` once when `signal` aborts, unless unwatch() came first. A watcher is on
 * one signal at a time (its links hold its place in that signal's list).
 */
export function watchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  let fanout = fanouts.get(signal);
  if (fanout === undefined) {
    fanout = new Fanout();
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', fanout, { once: true });
  }
  fanout.add(watcher);
}

export function unwatchAbort(signal: AbortSignal, watcher: AbortWatcher): void {
  fanouts.get(signal)?.remove(watcher);
}
