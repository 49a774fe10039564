import { StringDecoder } from 'node:string_decoder';

/** A readable stream as the probe control connection's two ends see it. */
interface DataSource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

/**
 * Calls `onLine` with each newline-terminated line of `source` as it arrives, in order, without the
 * newline: the probe control connection's framing (one JSON message a line), read the same way on
 * the probe server and on the controller. `initial` holds bytes already read before the stream was
 * handed over (the probe server reads the first byte to tell a control connection from a probe). A
 * multi-byte character split across chunks is kept whole; an unterminated last line is never passed.
 */
export function onLines(source: DataSource, onLine: (line: string) => void, initial?: Buffer): void {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  const take = (chunk: Buffer) => {
    buffered += decoder.write(chunk);
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
  };
  if (initial?.length) take(initial);
  source.on('data', take);
}
