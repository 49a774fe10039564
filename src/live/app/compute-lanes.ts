import { Worker } from 'node:worker_threads';

type Reply = { id: number; features?: Float32Array; best?: { index: number; score: number }[] };

/**
 * The worker threads of one compute pool: lane i runs on worker i (the pool bounds the tasks in flight).
 * A pool that grows at run time gets workers for its new lanes ({@link ComputeLanes.grow}); one that
 * shrinks keeps its workers idle (its pool grants no lane above its size).
 */
export class ComputeLanes {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #next = 1;

  constructor(
    size: number,
    readonly workerFile: string,
    readonly vectors: SharedArrayBuffer,
  ) {
    this.grow(size);
  }

  /** Workers now (the largest size the pool has had). */
  get size(): number {
    return this.#workers.length;
  }

  /** Starts workers until there are `size` (a task posted before one is up waits in its port). */
  grow(size: number): void {
    while (this.#workers.length < size) {
      const w = new Worker(this.workerFile, { workerData: { vectors: this.vectors } });
      w.on('message', (r: Reply) => {
        const p = this.#pending.get(r.id);
        this.#pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', (e) => {
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      });
      w.unref();
      this.#workers.push(w);
    }
  }

  run(lane: number, task: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#workers[lane % this.#workers.length]!.postMessage({ ...task, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
