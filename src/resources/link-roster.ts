import { bookIdle } from './link-booking.js';
import { type Link, linkNumbers } from './link.js';

/**
 * The upload links of one owner that books them (Link.book), by index: a fleet of devices, each the only
 * sender on its own link. A booking on a link known to carry nothing but booked bytes goes straight to the
 * link's numbers, without the link object — with thousands of devices, one cache miss fewer per upload —
 * and the owner never sees how a link lays out its numbers. Indexes are given in the order links are added
 * (walking them in that order walks memory forward, which the processor prefetches).
 */
export class LinkRoster {
  readonly #links: Link[] = [];
  readonly #chunks: Float64Array[] = [];
  #offsets = new Int32Array(16);
  // 1 when the link is known to carry nothing but booked bytes (Link.idle): its numbers are booked directly.
  #clean = new Uint8Array(16);

  /** Adds `link` and returns its index. */
  add(link: Link): number {
    const i = this.#links.length;
    if (i === this.#offsets.length) {
      const offsets = new Int32Array(2 * i);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
      const clean = new Uint8Array(2 * i);
      clean.set(this.#clean);
      this.#clean = clean;
    }
    const [chunk, offset] = linkNumbers(link);
    this.#links.push(link);
    this.#chunks.push(chunk);
    this.#offsets[i] = offset;
    // Known idle from the start (no transfer yet), so that the slow path (Link.book) stays for the rare
    // sends that go the usual way — and out of the compiler's inlining budget.
    this.#clean[i] = link.idle ? 1 : 0;
    return i;
  }

  /** {@link Link.book} on link `i` at `now` (the current time). */
  book(i: number, sizeBytes: number, startAt: number, latest: number, now: number): number {
    if (this.#clean[i] !== 0)
      return bookIdle(this.#chunks[i]!, this.#offsets[i]!, sizeBytes, startAt, latest, now);
    const link = this.#links[i]!;
    const arrival = link.book(sizeBytes, startAt, latest);
    if (link.idle) this.#clean[i] = 1;
    return arrival;
  }

  /** Link `i` is about to carry a transfer of its own (Link.transfer): book it through the link until idle again. */
  transferring(i: number): void {
    this.#clean[i] = 0;
  }
}
