import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';

// Each fixture ends with comments stating the overrides to apply and exactly the issues the validator
// must report: code, line and field path. The test fails on a missing, extra or mislocated issue.
const dir = path.join(import.meta.dirname, '../fixtures/bad-scenarios');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function expectations(text: string) {
  const sets = [...text.matchAll(/^# set: (.*)$/gm)].map((m) => m[1]!);
  const issues = [...text.matchAll(/^# expect: (\S+) line (\d+) at (\S+)$/gm)].map(
    (m) => `${m[1]} @${m[2]} ${m[3] === '-' ? '' : m[3]}`,
  );
  return { sets, issues };
}

describe('bad scenarios', () => {
  it('there are at least 20 bad-scenario fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of fixtures) {
    it(`${name} reports exactly its expected located issues`, () => {
      const file = path.join(dir, name);
      const { sets, issues: wanted } = expectations(readFileSync(file, 'utf8'));
      expect(wanted.length).toBeGreaterThan(0);
      const r = loadScenario(file, { overrides: sets });
      expect(r.ok).toBe(false);
      const got = r.issues.map((i) => `${i.code} @${i.line} ${i.path}`);
      expect(got.sort()).toEqual(wanted.sort());
      for (const i of r.issues) {
        expect(i.message.length).toBeGreaterThan(5);
        if (i.line > 0) expect(i.column).toBeGreaterThan(0);
      }
    });
  }
});
