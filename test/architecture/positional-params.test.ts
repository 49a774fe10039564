import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramLists } from './param-lists.js';

// The project's rule: a function (declaration, method, constructor, arrow, signature) takes at most
// MAX positional parameters; past that, an options object names them at the call site. This test scans
// src/ and web/ and names file:line of each breach.
const MAX = 5;
const root = path.join(import.meta.dirname, '../..');

/**
 * Declared exceptions, each with its reason. Per-request paths of the model: an options object there
 * would be one more allocation per request or span on the simulator's hottest path (millions per run),
 * so they keep positional parameters. Keyed by file and function name (not line, which moves).
 */
const EXCEPTIONS: { file: string; name: string; reason: string }[] = [
  ...['newRequest', 'uploadedRequest'].map((name) => ({
    file: 'src/model/sim-context.ts',
    name,
    reason: 'called once per request by every workload (hot path)',
  })),
  ...['newRequest', 'uploadedRequest', '#request', '#routedRequest'].map((name) => ({
    file: 'src/model/simulation.ts',
    name,
    reason: 'creates each request (hot path)',
  })),
  ...['src/model/sim-context.ts', 'src/model/simulation.ts'].map((file) => ({
    file,
    name: 'refusedRequest',
    reason: 'records each request refused at the door (hot path under overload)',
  })),
  {
    file: 'src/model/instances.ts',
    name: 'send',
    reason: 'routes each request to a balanced instance (hot path)',
  },
  { file: 'src/model/request.ts', name: 'constructor', reason: 'one Request per request (hot path)' },
  { file: 'src/model/request.ts', name: 'reset', reason: 'a reused Request per request (hot path)' },
  { file: 'src/model/request-pool.ts', name: 'take', reason: 'makes each request (hot path)' },
  { file: 'src/model/collector.ts', name: 'span', reason: 'records each traced span (hot path)' },
  {
    file: 'src/resources/link-booking.ts',
    name: 'bookIdle',
    reason: 'books each upload on an idle link, on the typed-array state (hot path)',
  },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    // vendor-d3.js is a third-party bundle, not the project's code.
    return /\.(ts|js|mjs)$/.test(f) && !f.startsWith('vendor-') ? [p] : [];
  });
}

/** The function's name from the text before its parameter list (`export function f`, `const f =`, `#m`). */
function nameOf(head: string): string {
  return head.match(/(#?[\w$]+)\s*(?:=\s*(?:async\s*)?)?(?:<.*>)?\s*$/)?.[1] ?? head;
}

describe('functions take at most 5 positional parameters (an options object past that)', () => {
  it('the scanner finds long lists in declarations, methods, arrows and signatures, not calls', () => {
    const snippet = [
      'export function f(a: number, b: string, c = 1, d?: Map<string, number>, e = "x, y", g: () => void) {}',
      'class C { constructor(private a: number, b, c, d, e, f) {} m<T>(a, b, c, d, e, f): { x: T } { return g(1, 2, 3, 4, 5, 6); } }',
      'const h = async (a, { b, c }, [d, e], f, g, i) => a;',
      'interface I { s(this: I, a: 1, b: 2, c: 3, d: 4, e: 5): void; t(a, b, c, d, e, f): void }',
      'call(1, 2, 3, 4, 5, 6); x ? g(1, 2, 3, 4, 5, 6) : y; // fake(a, b, c, d, e, f) {}',
      'const r = /(a, b, c, d, e, f) {/; const t = `(a, b, c, d, e, f) => ${k(1, 2)}`;',
    ].join('\n');
    const long = paramLists(snippet)
      .filter((p) => p.count > MAX)
      .map((p) => `${p.line}:${nameOf(p.head)}:${p.count}`);
    expect(long).toEqual(['1:f:6', '2:constructor:6', '2:m:6', '3:h:6', '4:t:6']);
  });

  it('holds in src/ and web/, but for the declared exceptions', () => {
    const breaches: string[] = [];
    const used = new Set<(typeof EXCEPTIONS)[number]>();
    for (const dir of ['src', 'web']) {
      for (const file of sources(path.join(root, dir))) {
        const rel = path.relative(root, file).split(path.sep).join('/');
        for (const p of paramLists(readFileSync(file, 'utf8'))) {
          if (p.count <= MAX) continue;
          const name = nameOf(p.head);
          const exception = EXCEPTIONS.find((e) => e.file === rel && e.name === name);
          if (exception) used.add(exception);
          else breaches.push(`${rel}:${p.line} ${name}: ${p.count} positional parameters`);
        }
      }
    }
    expect(breaches, 'take an options object (or declare an exception here, with its reason)').toEqual([]);
    // An exception that no longer matches anything is removed, so the list stays the truth.
    const stale = EXCEPTIONS.filter((e) => !used.has(e)).map((e) => `${e.file} ${e.name}`);
    expect(stale, 'exceptions that match no function any more').toEqual([]);
  });
});
