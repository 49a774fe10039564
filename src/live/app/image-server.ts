import http from 'node:http';
import { type DriverControl, handleControl } from './driver-control.js';
import { wallS } from './pool.js';

/**
 * Serves the items (images) requests point to: GET /img/<request>/<item>?bytes=N answers N bytes. It
 * runs on the client's host, so the engine's download stage fetches real bytes across the emulated network.
 */
export function imageServer(
  port: number,
  host = '0.0.0.0',
  image?: Buffer,
  control?: DriverControl,
): Promise<http.Server> {
  const blob = image ? paddedImage(image) : noise(4 * 1024 * 1024);
  const server = http.createServer((req, res) => {
    // The controller's new instance counts of an autoscaled target (driver-control.ts).
    if (control && handleControl(control, req, res, wallS)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith('/img/')) {
      res.writeHead(url.pathname === '/health' ? 200 : 404).end();
      return;
    }
    let left = Math.max(0, Math.min(1e9, Number(url.searchParams.get('bytes') ?? 0) | 0));
    // A real image is sent whole, however few bytes were asked for: a cut JPEG would not decode.
    if (image) left = Math.max(left, image.length);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, blob.length);
        left -= n;
        if (!res.write(blob.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Deterministic filler bytes (an LCG): incompressible enough that no layer shrinks them. */
function noise(n: number): Buffer {
  const blob = Buffer.alloc(n);
  let s = 12345;
  for (let i = 0; i < blob.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    blob[i] = s >>> 16;
  }
  return blob;
}

/**
 * The image followed by filler up to 16 MiB, so an item of any size up to that is the image padded to
 * its size: JPEG and PNG decoders stop at the image's end marker and ignore what follows, so the service
 * decodes the same picture whatever the item's size, and the transfer carries the size the scenario drew.
 */
function paddedImage(image: Buffer): Buffer {
  const total = Math.max(image.length, 16 * 1024 * 1024);
  const out = Buffer.alloc(total);
  image.copy(out, 0);
  noise(total - image.length).copy(out, image.length);
  return out;
}
