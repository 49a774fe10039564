import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHeldOut } from '../../src/calibrate/index.js';
import { repoRoot } from '../support/cli.js';

const scenario = path.join(repoRoot, 'scenarios/local-testbed.yaml');
const load = (text: string) => loadHeldOut('held-out.yaml', scenario, [], { text });

describe('held-out configurations file', () => {
  it('reads named configurations, each a list of --set overrides, in order', () => {
    const r = load(
      'description: two loads\nconfigs:\n  - { name: u1, set: [edge.users.workload.users=1] }\n  - name: u4-d4\n    set: [edge.users.workload.users=4, cloud.engine.pools.download=4]\n',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.heldOut.configs.map((c) => c.name)).toEqual(['u1', 'u4-d4']);
    expect(r.heldOut.configs[1]!.set).toEqual([
      'edge.users.workload.users=4',
      'cloud.engine.pools.download=4',
    ]);
  });

  it('reports an unknown key with its line, column, field path and a did-you-mean', () => {
    const r = load('configs:\n  - name: u1\n    sets: [edge.users.workload.users=1]\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({
      file: 'held-out.yaml',
      line: 3,
      column: 5,
      path: 'configs[0].sets',
      code: 'E2C_ERR_SCENARIO_UNKNOWN_KEY',
    });
    expect(r.issues[0]!.hint).toContain('set');
  });

  it('reports every problem at once: a duplicate name, a malformed override, a missing name', () => {
    const r = load(
      'configs:\n  - { name: a, set: [edge.users.workload.users=1] }\n  - { name: a, set: [edge.users.workload.users=2] }\n  - { name: b, set: [users] }\n  - { set: [] }\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['configs[2].set[0]', 'configs[3].name']);
    // Shape problems come first; duplicates are checked once the shape is right.
    const r2 = load(
      'configs:\n  - { name: a, set: [edge.users.workload.users=1] }\n  - { name: a, set: [edge.users.workload.users=2] }\n',
    );
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.issues).toEqual([
      expect.objectContaining({
        path: 'configs[1].name',
        line: 3,
        code: 'E2C_ERR_CALIBRATE_HELD_OUT_DUPLICATE',
      }),
    ]);
  });

  it("a configuration that does not make a valid scenario points at its override's line", () => {
    const r = load(
      'configs:\n  - { name: ok, set: [edge.users.workload.users=2] }\n  - name: bad\n    set:\n      - cloud.engine.pools.extract=2\n      - edge.users.workload.users=-1\n  - { name: worse, set: [edge.user.workload.users=3] }\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual(['configs[1].set[1]', 'configs[2].set[0]']);
    expect(byPath['configs[1].set[1]']).toMatchObject({
      file: 'held-out.yaml',
      line: 6,
      column: 9,
      code: 'E2C_ERR_CALIBRATE_HELD_OUT_CONFIG',
    });
    expect(byPath['configs[1].set[1]']!.message).toMatch(/configuration "bad": must be ≥ 0 \(got -1\)/);
    expect(byPath['configs[2].set[0]']).toMatchObject({ line: 7 });
    expect(byPath['configs[2].set[0]']!.hint).toContain('users');
  });

  it('a missing file is one issue naming the file', () => {
    const r = loadHeldOut(path.join(repoRoot, 'no-such-held-out.yaml'), scenario);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.message).toContain('file not found');
  });
});
