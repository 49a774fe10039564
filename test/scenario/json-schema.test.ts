import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenario/index.js';

describe('scenario JSON Schema', () => {
  it('the checked-in scenarios/scenario.schema.json is exactly what the zod schema generates (regenerate with `e2ctwin schema > scenarios/scenario.schema.json`)', () => {
    const checkedIn = readFileSync(
      path.join(import.meta.dirname, '../../scenarios/scenario.schema.json'),
      'utf8',
    );
    expect(checkedIn).toBe(scenarioJsonSchemaText());
  });

  it('every property in the schema carries a description', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') {
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          // Discriminator constants (dist, kind) name themselves.
          if (!v.description && v.const === undefined && !(k === 'dist' || k === 'kind'))
            missing.push(`${where}.${k}`);
        }
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`);
    };
    walk(scenarioJsonSchema(), '#');
    expect(missing).toEqual([]);
  });
});
