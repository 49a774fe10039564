import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioOrThrow, ScenarioError } from '../../src/scenario/index.js';

const root = path.join(import.meta.dirname, '../..');
const scenarioFiles = [
  ...readdirSync(path.join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `scenarios/${f}`),
  ...readdirSync(path.join(root, 'scenarios/validation'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `scenarios/validation/${f}`),
];
const plantnet = path.join(root, 'scenarios/plantnet.yaml');

describe('loadScenario()', () => {
  for (const f of scenarioFiles) {
    it(`accepts the shipped scenario ${f}`, () => {
      const r = loadScenario(path.join(root, f));
      expect(r.issues).toEqual([]);
      expect(r.ok).toBe(true);
    });
  }

  it("inlines presets referenced by name and applies the service's pool sizes over the app's", () => {
    const s = loadScenarioOrThrow(plantnet, { overrides: ['cloud.engine.pools.extract=3'] });
    const engine = s.services.find((x) => x.id === 'cloud.engine')!;
    expect(engine.host.gpu?.type).toBe('V100-PCIE-32GB');
    expect(engine.app?.pools).toEqual({
      http: { size: 40 },
      download: { size: 40 },
      extract: { size: 3 },
      simsearch: { size: 40 },
    });
    expect(engine.app?.stages.map((st) => st.name)).toEqual(['http', 'download', 'extract', 'simsearch']);
  });

  it("follows extends: a refined preset keeps its parent's fields and replaces its own", () => {
    const s = loadScenarioOrThrow(plantnet, { overrides: ['cloud.engine.host=gpu-a100'] });
    const host = s.services[0]!.host;
    expect(host.gpu?.memoryGiB).toBe(40);
    expect(host.gpu?.concurrency).toEqual({ maxSpeedup: 2.5, halfConcurrency: 3 });
    expect(host.cpu.cores).toBe(64);
  });

  it('an inline app with extends refines the preset: only the fields written change, stages are inherited', () => {
    const nginx = path.join(root, 'scenarios/nginx-static.yaml');
    const s = loadScenarioOrThrow(nginx, { overrides: ['cloud.nginx.app.responseBytes=3000'] });
    const app = s.services.find((x) => x.id === 'cloud.nginx')!.app!;
    expect(app.responseBytes).toBe(3000);
    expect(app.requestBytes).toBe(200); // the preset's
    expect(app.stages.map((st) => st.name)).toEqual(['accept', 'serve']);
    // Without extends, an inline app is a whole model: stages are required, at the field's path.
    const r = loadScenario(nginx, { overrides: ['cloud.nginx.app={responseBytes: 3000}'] });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.path).join(' ')).toMatch(/layers\[0\]\.services\[0\]\.app\.stages/);
  });

  it('fills link constraints from their class, explicit fields winning', () => {
    const s = loadScenarioOrThrow(path.join(root, 'scenarios/iot-camera-fog-cloud.yaml'));
    expect(s.network[0]).toMatchObject({
      src: 'edge',
      dst: 'fog',
      delayMs: 3,
      rateMbps: 50,
      lossPercent: 0.2,
      sharing: 'per-host',
    });
    expect(s.network[1]).toMatchObject({
      src: 'fog',
      dst: 'cloud',
      delayMs: 25,
      rateMbps: 200,
      sharing: 'shared',
    });
  });

  it('returns a deeply frozen scenario', () => {
    const s = loadScenarioOrThrow(plantnet);
    expect(Object.isFrozen(s.services[0]!.app!.pools)).toBe(true);
  });

  it('--set overrides address array elements by index, by name, or by the <layer>.<service> shorthand', () => {
    for (const set of [
      'layers.1.services.0.quantity=7',
      'layers.edge.services.users.quantity=7',
      'edge.users.quantity=7',
    ]) {
      expect(loadScenarioOrThrow(plantnet, { overrides: [set] }).services[1]!.quantity).toBe(7);
    }
  });

  it('loads of the same file with different --set each see the file as written (parses are shared, overrides are not)', () => {
    const quantity = (overrides: string[]) =>
      loadScenarioOrThrow(plantnet, { overrides }).services[1]!.quantity;
    const written = quantity([]);
    expect(quantity(['edge.users.quantity=7'])).toBe(7);
    expect(quantity(['edge.users.quantity=9'])).toBe(9);
    expect(quantity([])).toBe(written);
    // A bad override's issue is located the same way on every load.
    const issues = () => loadScenario(plantnet, { overrides: ['edge.users.quantity=-1'] }).issues;
    expect(issues()).toEqual(issues());
    expect(written).not.toBe(7);
  });

  it('--set values are YAML and are validated like the file', () => {
    const s = loadScenarioOrThrow(plantnet, {
      overrides: ['edge.users.workload.thinkTime={dist: gamma, mean: 4, cv: 0.5}'],
    });
    expect(s.services[1]!.workload).toMatchObject({ thinkTime: { dist: 'gamma', mean: 4, cv: 0.5 } });
    const bad = loadScenario(plantnet, { overrides: ['edge.users.quantity=-1'] });
    expect(bad.ok).toBe(false);
    expect(bad.issues[0]).toMatchObject({ file: '--set', path: 'layers[1].services[0].quantity' });
    expect(bad.issues[0]!.message).toContain('--set edge.users.quantity=-1');
  });

  it('reports every problem at once', () => {
    const r = loadScenario('inline.yaml', {
      text: 'name: x\nrun: { duration: -1 }\nlayers:\n  - name: a\n    services:\n      - { name: s, quantity: 0, hostt: foo }\n',
    });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      'layers[0].services[0].hostt',
      'layers[0].services[0].quantity',
      'run.duration',
    ]);
    expect(r.issues.find((i) => i.path.endsWith('hostt'))?.hint).toBe('did you mean "host"?');
  });

  it('loadScenarioOrThrow() throws a ScenarioError carrying the issues', () => {
    expect(() => loadScenarioOrThrow('missing.yaml')).toThrow(ScenarioError);
    try {
      loadScenarioOrThrow('missing.yaml');
    } catch (e) {
      expect((e as ScenarioError).issues[0]).toMatchObject({
        code: 'E2C_ERR_SCENARIO_FILE_MISSING',
        file: 'missing.yaml',
      });
    }
  });
});
