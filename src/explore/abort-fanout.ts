/**
 * Ties many waits to one AbortSignal with a single listener. A study's coordinator keeps dozens of trials in
 * flight under one signal (8 per worker slot on the queue); a listener per trial made Node warn of a listener
 * leak (MaxListenersExceededWarning at 11) although each was removed when its trial settled.
 */
export class AbortFanout {
  readonly #waiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

  /**
   * Settles like `promise`, or rejects with the signal's reason when it aborts first.
   * @throws the signal's reason at once when it has already aborted
   */
  race<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    let set = this.#waiters.get(signal);
    if (!set) {
      const waiters = new Set<(reason: unknown) => void>();
      set = waiters;
      this.#waiters.set(signal, waiters);
      signal.addEventListener(
        'abort',
        () => {
          for (const reject of waiters) reject(signal.reason);
          waiters.clear();
        },
        { once: true },
      );
    }
    const waiters = set;
    return new Promise<T>((resolve, reject) => {
      waiters.add(reject);
      promise.then(resolve, reject).finally(() => waiters.delete(reject));
    });
  }
}
