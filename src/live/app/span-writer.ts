import { appendFileSync } from 'node:fs';
import type { SpanRecord } from '../../trace/index.js';

/**
 * Appends live spans to a JSON Lines file in batches (times in seconds since the Unix epoch; the
 * controller rebases them on the run's start). Stops recording past `limit` spans.
 */
export class SpanWriter {
  #buffer: string[] = [];
  #count = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly file: string,
    readonly limit = 200_000,
    flushMs = 1000,
  ) {
    this.#timer = setInterval(() => this.flush(), flushMs);
    this.#timer.unref();
  }

  get count(): number {
    return this.#count;
  }

  write(span: SpanRecord): void {
    if (this.#count >= this.limit) return;
    this.#count++;
    this.#buffer.push(JSON.stringify(span));
  }

  flush(): void {
    if (this.#buffer.length === 0) return;
    appendFileSync(this.file, `${this.#buffer.join('\n')}\n`);
    this.#buffer = [];
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
