import { type Env, type Handler, SimEvent } from '../kernel/index.js';
import { checkOption } from './errors.js';
import { Ring } from './ring.js';

/** Options of a {@link Store}. */
export interface StoreOptions {
  /** Largest number of items held; further puts wait. Default `Infinity`. */
  capacity?: number | undefined;
  /** Name used in error messages. */
  name?: string | undefined;
}

/** Callback of {@link Store.get}: receives the item and the `arg` given to `get`. */
export type ItemHandler<T> = (item: T, arg: any) => void;

/**
 * A FIFO buffer of items (a message queue) with optional capacity, SimPy's `Store`: `get` waits
 * while it is empty, `put` waits while it is full; both queues are served in FIFO order.
 *
 * As with {@link Pool}, callbacks run synchronously: a `get` on a non-empty store, or a `put`
 * that meets a waiting getter or free space, calls back before returning. The store's state is
 * settled before any callback runs; a hand-over calls the getter first, then the admitted putter.
 */
export class Store<T> {
  readonly env: Env;
  readonly capacity: number;
  readonly name: string;
  #items = new Ring<T>();
  #getters = new Ring<ItemHandler<T>>();
  #getterArgs = new Ring<unknown>();
  #putItems = new Ring<T>();
  #putters = new Ring<Handler | undefined>();
  #putterArgs = new Ring<unknown>();

  constructor(env: Env, options: StoreOptions = {}) {
    const name = options.name ?? 'store';
    const capacity = options.capacity ?? Infinity;
    checkOption(name, 'capacity', capacity, capacity >= 1, 'must be ≥ 1');
    this.env = env;
    this.capacity = capacity;
    this.name = name;
  }

  /**
   * Offer `item`. It goes to the oldest waiting getter, or into the buffer if there is room, and
   * `onPut(arg)` runs now; otherwise the put waits for room and `onPut` runs when it is admitted.
   * @returns true if the item was taken at once
   */
  put(item: T, onPut?: Handler, arg?: unknown): boolean {
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      const getterArg = this.#getterArgs.shift();
      getter(item, getterArg);
      onPut?.(arg);
      return true;
    }
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      onPut?.(arg);
      return true;
    }
    this.#putItems.push(item);
    this.#putters.push(onPut);
    this.#putterArgs.push(arg);
    return false;
  }

  /**
   * Take the oldest item: `onItem(item, arg)` runs now if the store holds one, otherwise when an
   * item is put.
   * @returns true if an item was taken at once
   */
  get(onItem: ItemHandler<T>, arg?: unknown): boolean {
    if (this.#items.length === 0) {
      this.#getters.push(onItem);
      this.#getterArgs.push(arg);
      return false;
    }
    const item = this.#items.shift() as T;
    // Room was made: admit the oldest waiting put.
    let putter: Handler | undefined;
    let putterArg: unknown;
    if (this.#putItems.length > 0) {
      this.#items.push(this.#putItems.shift() as T);
      putter = this.#putters.shift();
      putterArg = this.#putterArgs.shift();
    }
    onItem(item, arg);
    putter?.(putterArg);
    return true;
  }

  /** Generator-friendly `put`: an event that succeeds when the item is taken. */
  putEvent(item: T): SimEvent<undefined> {
    const event = new SimEvent<undefined>(this.env);
    this.put(item, succeedEvent, event);
    return event;
  }

  /** Generator-friendly `get`: an event that succeeds with the item. */
  getEvent(): SimEvent<T> {
    const event = new SimEvent<T>(this.env);
    this.get(succeedWithItem, event);
    return event;
  }

  /** Items held now. */
  get size(): number {
    return this.#items.length;
  }

  /** Gets waiting for an item. */
  get waitingGets(): number {
    return this.#getters.length;
  }

  /** Puts waiting for room. */
  get waitingPuts(): number {
    return this.#putItems.length;
  }
}

function succeedEvent(event: SimEvent<undefined>): void {
  event.succeed();
}

function succeedWithItem<T>(item: T, event: SimEvent<T>): void {
  event.succeed(item);
}
