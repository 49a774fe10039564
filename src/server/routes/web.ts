import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * d3 as one ES module, from the UMD bundle of its npm package (its .mjs files only re-export the d3-*
 * packages by bare name, which a browser cannot resolve): in a module the UMD wrapper sets
 * `globalThis.d3`, which the module then exports as default (`import d3 from '/vendor/d3.js'`).
 */
export function d3Module(): string {
  const umd = path.join(path.dirname(createRequire(import.meta.url).resolve('d3')), 'd3.min.js');
  return `${readFileSync(umd, 'utf8')}\nexport default globalThis.d3;\n`;
}

/**
 * The browser app: one route per file of the web folder, listed when the server starts (a request can
 * only name a file that was listed, so no request path is ever joined to a folder), and d3 from
 * node_modules. Files are read on each request, so edits show on reload.
 */
export const webRoutes: FastifyPluginAsync<{ webDir: string }> = async (app, { webDir }) => {
  const serve = (url: string, file: string) => {
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    app.get(url, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').type(type).send(readFileSync(file)),
    );
  };
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, `${prefix}${e.name}/`);
      else if (e.isFile() && TYPES[path.extname(e.name)]) serve(`/${prefix}${e.name}`, full);
    }
  };
  if (existsSync(webDir)) {
    walk(webDir, '');
    if (existsSync(path.join(webDir, 'index.html'))) serve('/', path.join(webDir, 'index.html'));
  }
  let d3: string | undefined;
  app.get('/vendor/d3.js', async (_request, reply) =>
    reply
      .header('cache-control', 'max-age=3600')
      .type(TYPES['.js']!)
      .send((d3 ??= d3Module())),
  );
};
