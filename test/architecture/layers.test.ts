import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering of ARCHITECTURE.md, enforced on the import statements of src/: dependencies point
// downward only (the edges cli and server on top; explore, live and calibrate above run-folder, scenario
// and model, never reaching into each other). Type-only imports of the scenario's types are allowed
// below it (the model receives validated scenario objects), runtime imports are not. The command line
// starts the server through one lazy `import()` (so that `simulate` never loads fastify); that is the
// only import of a folder that a layer may make lazily only.
const src = path.join(import.meta.dirname, '../../src');
const below = ['run-folder', 'scenario', 'model', 'resources', 'kernel', 'random', 'metrics', 'trace'];
const allowed: Record<string, string[]> = {
  kernel: [],
  random: [],
  trace: [],
  metrics: ['random'],
  resources: ['kernel', 'metrics', 'random'],
  model: ['kernel', 'resources', 'random', 'metrics', 'trace'],
  scenario: [],
  'run-folder': ['scenario', 'trace', 'metrics'],
  explore: ['scenario', 'model', 'metrics', 'random', 'trace', 'run-folder'],
  live: ['scenario', 'model', 'trace', 'metrics', 'random', 'run-folder'],
  calibrate: ['scenario', 'model', 'trace', 'metrics', 'random', 'run-folder'],
  interop: ['scenario'],
  server: ['explore', 'live', 'calibrate', ...below],
  cli: ['explore', 'live', 'calibrate', 'interop', ...below],
};
const typeOnlyAllowed: Record<string, string[]> = { model: ['scenario'] };
const lazyOnlyAllowed: Record<string, string[]> = { cli: ['server'] };

interface Import {
  file: string;
  target: string;
  to: string;
  typeOnly: boolean;
  lazy: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of a folder of src/ that leads into another folder of src/. */
function importsOf(layer: string): Import[] {
  const out: Import[] = [];
  for (const file of files(path.join(src, layer))) {
    const text = readFileSync(file, 'utf8');
    // Static imports and re-exports (`import … from`, `export … from`), and lazy ones (`import('…')`).
    const found = [
      ...[...text.matchAll(/^(?:import|export)(\s+type)?[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => ({
        spec: m[2]!,
        typeOnly: !!m[1],
        lazy: false,
      })),
      ...[...text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)].map((m) => ({
        spec: m[1]!,
        typeOnly: false,
        lazy: true,
      })),
    ];
    for (const { spec, typeOnly, lazy } of found) {
      const target = path.relative(src, path.resolve(path.dirname(file), spec));
      if (target.startsWith('..')) continue;
      const to = target.split(path.sep)[0]!;
      if (to === layer || !target.includes(path.sep)) continue; // its own folder, or a file at the top of src/
      out.push({ file: path.relative(src, file), target, to, typeOnly, lazy });
    }
  }
  return out;
}

/** The cycles of a directed graph, each as the list of its nodes (one per strongly connected component). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  // Tarjan's algorithm: a component of more than one node (or a node with an edge to itself) is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)?.has(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('layering', () => {
  it('every folder of src/ is a layer listed here, and every listed layer exists', () => {
    const folders = readdirSync(src)
      .filter((f) => statSync(path.join(src, f)).isDirectory())
      .sort();
    expect(folders).toEqual(Object.keys(allowed).sort());
    for (const layer of Object.keys(allowed))
      expect(existsSync(path.join(src, layer)), `src/${layer}/ is missing`).toBe(true);
  });

  for (const [layer, deps] of Object.entries(allowed)) {
    const extra = [
      typeOnlyAllowed[layer]?.length ? `types of ${typeOnlyAllowed[layer]!.join(', ')}` : '',
      lazyOnlyAllowed[layer]?.length ? `${lazyOnlyAllowed[layer]!.join(', ')} lazily` : '',
    ].filter(Boolean);
    it(`src/${layer}/ imports only ${deps.length ? deps.join(', ') : 'itself'}${extra.length ? ` (and ${extra.join(', ')})` : ''}`, () => {
      expect(existsSync(path.join(src, layer)), `src/${layer}/ is missing`).toBe(true);
      const bad = importsOf(layer)
        .filter((i) => !deps.includes(i.to))
        .filter((i) => !(i.typeOnly && typeOnlyAllowed[layer]?.includes(i.to)))
        .filter((i) => !(i.lazy && lazyOnlyAllowed[layer]?.includes(i.to)))
        .map((i) => `${i.file} → ${i.target}${i.lazy ? ' (lazy)' : ''}`);
      expect(bad).toEqual([]);
    });
  }

  it('the cycle finder finds a cycle of three folders and only it', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
      ['e', new Set<string>()],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });

  it('no import cycle between folders (type-only and lazy imports count)', () => {
    const graph = new Map<string, Set<string>>();
    for (const layer of readdirSync(src).filter((f) => statSync(path.join(src, f)).isDirectory())) {
      graph.set(layer, new Set(importsOf(layer).map((i) => i.to)));
    }
    const found = cycles(graph).map((c) => c.join(' ↔ '));
    expect(found).toEqual([]);
  });
});
