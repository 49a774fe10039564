import { Worker } from 'node:worker_threads';

type Reply = { id: number; features?: Float32Array; best?: { index: number; score: number }[] };

/** The worker threads of one compute pool: lane i runs on worker i (the pool bounds the tasks in flight). */
export class ComputeLanes {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #next = 1;

  constructor(
    readonly size: number,
    workerFile: string,
    vectors: SharedArrayBuffer,
  ) {
    this.#workers = Array.from({ length: size }, () => {
      const w = new Worker(workerFile, { workerData: { vectors } });
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
      return w;
    });
  }

  run(lane: number, task: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#workers[lane % this.size]!.postMessage({ ...task, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
