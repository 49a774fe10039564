import type { Duplex } from 'node:stream';
import { LiveError, LiveErrorCode } from '../errors.js';
import { onLines } from '../measure/lines.js';
import type { ProbeAnswer, ProbeRequest } from '../measure/probe-control.js';
import type { LiveHost } from '../target.js';

/**
 * A control connection to a host's probe server (`e2ctwin probe serve --control`), opened through the
 * host's SSH server: the host runs each probe asked of it and answers its result. Requests are answered
 * in order; one channel per link checked at a time.
 */
export class ProbeChannel {
  readonly #waiting: { resolve: (a: ProbeAnswer) => void; reject: (e: Error) => void }[] = [];
  #closed: Error | undefined;

  private constructor(
    readonly host: string,
    private readonly stream: Duplex,
  ) {
    onLines(stream, (line) => {
      const w = this.#waiting.shift();
      try {
        w?.resolve(JSON.parse(line) as ProbeAnswer);
      } catch (e) {
        w?.reject(new Error(`unreadable answer: ${(e as Error).message}`));
      }
    });
    const fail = (e: Error) => {
      this.#closed ??= e;
      for (const w of this.#waiting.splice(0)) w.reject(this.#error(e.message));
    };
    stream.on('error', fail);
    stream.on('close', () => fail(new Error('the probe server closed the connection')));
  }

  /** Opens a control connection to the probe server listening on `port` of `host`. */
  static async open(host: LiveHost, port: number): Promise<ProbeChannel> {
    const stream = await host.connect(port, '127.0.0.1');
    stream.write('C');
    return new ProbeChannel(host.name, stream);
  }

  /** Runs one probe on the host; rejects with its error, or if no answer comes within `timeoutMs`. */
  async request<T>(req: ProbeRequest, timeoutMs = 120_000): Promise<T> {
    if (this.#closed) throw this.#error(this.#closed.message);
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<ProbeAnswer>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      timer = setTimeout(() => {
        this.close();
        reject(this.#error(`no answer to the ${req.kind} probe within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.stream.write(`${JSON.stringify(req)}\n`);
    }).finally(() => clearTimeout(timer));
    if ('error' in answer)
      throw this.#error(`${req.kind} probe to ${req.address}:${req.port}: ${answer.error}`);
    return answer.result as T;
  }

  close(): void {
    this.stream.destroy();
  }

  #error(message: string): LiveError {
    return new LiveError(LiveErrorCode.HOST, `${this.host}: network check: ${message}`, { host: this.host });
  }
}
