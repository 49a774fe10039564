import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Bodies shorter than this go out as they are: compressing them saves less than it costs. */
const MIN_BYTES = 1024;

export type ContentEncoding = 'br' | 'gzip';

/**
 * The encoding to answer in for an `Accept-Encoding` header: br when accepted (a JSON trace shrinks to a
 * tenth of its size), else gzip (or `*`), else none. A coding given `q=0` is refused, as RFC 9110 says.
 */
export function acceptedEncoding(header: string | string[] | undefined): ContentEncoding | undefined {
  if (accepts(header, 'br')) return 'br';
  if (accepts(header, 'gzip')) return 'gzip';
  return undefined;
}

/** Whether an `Accept-Encoding` header accepts `coding` (named or by `*`, with q > 0). */
export function accepts(header: string | string[] | undefined, coding: ContentEncoding): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const q = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  return (q.get(coding) ?? q.get('*') ?? 0) > 0;
}

/** `text` compressed in `encoding`: brotli at quality 4 (a 40 MB trace in well under a second, about as small as gzip -9). */
export function encode(text: string, encoding: ContentEncoding): Promise<Buffer> {
  const body = Buffer.from(text, 'utf8');
  return encoding === 'br'
    ? brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 4,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : gzipped(body, { level: 6 });
}

/**
 * Sends `text` as `type`, compressed in the encoding the request accepts (Content-Encoding and
 * `Vary: Accept-Encoding` set). `cache`, when given, keeps each encoding made of this very text (a
 * run's whole trace is compressed once, not at every request).
 */
export async function sendEncoded(
  request: FastifyRequest,
  reply: FastifyReply,
  text: string,
  type: string,
  cache?: Map<string, unknown>,
): Promise<FastifyReply> {
  void reply.type(type).header('vary', 'accept-encoding');
  const encoding =
    text.length >= MIN_BYTES ? acceptedEncoding(request.headers['accept-encoding']) : undefined;
  if (!encoding) return reply.send(text);
  let body = cache?.get(encoding) as Buffer | undefined;
  if (!body) {
    body = await encode(text, encoding);
    cache?.set(encoding, body);
  }
  return reply.header('content-encoding', encoding).send(body);
}
