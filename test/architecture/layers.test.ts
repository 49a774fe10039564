import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering of ARCHITECTURE.md, enforced on the import statements of src/: dependencies point
// downward only (explore, live and calibrate sit above scenario and model, and never reach into each
// other); type-only imports of the scenario's types are allowed below it (the model receives validated
// scenario objects), runtime imports are not.
const src = path.join(import.meta.dirname, '../../src');
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
};
const typeOnlyAllowed: Record<string, string[]> = { model: ['scenario'] };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layering', () => {
  for (const [layer, deps] of Object.entries(allowed)) {
    it(`src/${layer}/ imports only ${deps.length ? deps.join(', ') : 'itself'}${typeOnlyAllowed[layer]?.length ? ` (and types of ${typeOnlyAllowed[layer]!.join(', ')})` : ''}`, () => {
      const dir = path.join(src, layer);
      let list: string[] = [];
      try { list = files(dir); } catch { return; } // a layer not written yet
      const bad: string[] = [];
      for (const file of list) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^(import|export)(\s+type)?[^'"]*from\s+'(\.[^']+)'/gm)) {
          const target = path.resolve(path.dirname(file), m[3]!);
          const rel = path.relative(src, target);
          if (rel.startsWith('..')) continue;
          const to = rel.split(path.sep)[0]!;
          if (to === layer || deps.includes(to)) continue;
          if (m[2] && typeOnlyAllowed[layer]?.includes(to)) continue;
          bad.push(`${path.relative(src, file)} → ${rel}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
