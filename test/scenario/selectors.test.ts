import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, type SelectableService, selectHosts } from '../../src/scenario/index.js';
import { runCliHere } from '../support/cli.js';

const services: SelectableService[] = [
  { layer: 'cloud', name: 'engine', quantity: 2, roles: ['server'] },
  { layer: 'cloud', name: 'kafka', quantity: 1, roles: [] },
  { layer: 'fog', name: 'gateway_1', quantity: 1, roles: [] },
  { layer: 'fog', name: 'gateway_2', quantity: 1, roles: [] },
  { layer: 'edge', name: 'users', quantity: 3, roles: ['client'] },
];
const pick = (sel: string) => {
  const r = selectHosts(sel, services);
  if (!r.ok) throw new Error(r.message);
  return r.selection;
};

describe('E2Clab selectors', () => {
  it('a layer picks its services and names the layer', () => {
    expect(pick('cloud')).toEqual({
      services: ['cloud.engine', 'cloud.kafka'],
      instances: [],
      layer: 'cloud',
    });
  });
  it('a service picks that service', () => {
    // Even when it is its layer's only service: a service stays a service (it outranks a layer rule).
    expect(pick('edge.users')).toEqual({ services: ['edge.users'], instances: [] });
    expect(pick('cloud.kafka').services).toEqual(['cloud.kafka']);
    expect(pick('cloud.kafka').layer).toBeUndefined();
  });
  it('a glob over a whole layer is that layer; over some services, those services', () => {
    expect(pick('cloud.*')).toMatchObject({ services: ['cloud.engine', 'cloud.kafka'], layer: 'cloud' });
    expect(pick('fog.gateway_*')).toMatchObject({
      services: ['fog.gateway_1', 'fog.gateway_2'],
      layer: 'fog',
    });
    expect(pick('cloud.e*')).toEqual({ services: ['cloud.engine'], instances: [] });
  });
  it('a glob over every instance of a service (fog.gateway_1.*, cloud.engine.*) is the service', () => {
    expect(pick('cloud.engine.*').services).toEqual(['cloud.engine']);
    expect(pick('cloud.engine.?').instances).toEqual([]);
  });
  it('one instance of a multi-instance service is an instance; of a one-instance service, the service', () => {
    expect(pick('cloud.engine.2')).toEqual({
      services: [],
      instances: [{ service: 'cloud.engine', index: 2 }],
    });
    expect(pick('cloud.kafka.1').services).toEqual(['cloud.kafka']);
    const r = selectHosts('cloud.engine.3', services);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('it has 2');
  });
  it('a role picks the services that carry it', () => {
    expect(pick('client').services).toEqual(['edge.users']);
    expect(pick('server').services).toEqual(['cloud.engine']);
  });
  it('a selector matching nothing is refused with the nearest name', () => {
    const r = selectHosts('cloud.engin', services);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.hint).toBe('nearest: "cloud.engine"');
    const g = selectHosts('mist.*', services);
    expect(g.ok).toBe(false);
    expect(!g.ok && g.message).toContain('matches no layer, service, instance or role');
  });
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-selectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const iot = readFileSync('scenarios/iot-camera-fog-cloud.yaml', 'utf8');
/** The IoT scenario with its network block (and optionally more) replaced. */
function variant(name: string, network: string, edit: (t: string) => string = (t) => t): string {
  const text = edit(iot.replace(/^network:\n(?: {2}-.*\n)+/m, `network:\n${network}`));
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}
const small = [
  '--set',
  'run.duration=40',
  '--set',
  'run.warmup=10',
  '--set',
  'edge.camera.quantity=100',
  '-r',
  '2',
];
const simulate = (file: string) => runCliHere(['simulate', file, ...small, '--json', '--seed', '7']);

describe('selectors in scenarios, resolved at load into the names the model reads', () => {
  it('src: "edge.*" and the explicit layer give byte-identical simulate --json at the same seed', async () => {
    const glob = variant(
      'glob',
      '  - { src: "edge.*", dst: "fog.*", class: wifi }\n  - { src: "fog.*", dst: "cloud.*", class: wan, rateMbps: 200, sharing: shared }\n',
    );
    const explicit = variant(
      'explicit',
      '  - { src: edge, dst: fog, class: wifi }\n  - { src: fog, dst: cloud, class: wan, rateMbps: 200, sharing: shared }\n',
    );
    const a = await simulate(glob);
    const b = await simulate(explicit);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).completed).toBeGreaterThan(0);
    expect(a.stdout).toBe(b.stdout);
    const r = loadScenario(glob);
    expect(r.ok && r.scenario.network.map((n) => [n.src, n.dst])).toEqual([
      ['edge', 'fog'],
      ['fog', 'cloud'],
    ]);
  });

  it('a role (roles: [cam], then src: cam) and a workload target by glob give the explicit names', async () => {
    const withRoles = (t: string) =>
      t
        .replace('      - name: camera\n', '      - name: camera\n        roles: [cam]\n')
        .replace('target: fog.gateway', 'target: "fog.gate*"');
    const role = variant('role', '  - { src: cam, dst: fog.gateway, class: wifi }\n', withRoles);
    const explicit = variant('role-explicit', '  - { src: edge.camera, dst: fog.gateway, class: wifi }\n');
    const r = loadScenario(role);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.network[0]).toMatchObject({ src: 'edge.camera', dst: 'fog.gateway' });
    expect(r.scenario.services.find((s) => s.id === 'edge.camera')!.workload!.target).toBe('fog.gateway');
    const a = await simulate(role);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe((await simulate(explicit)).stdout);
  });

  it('a selector that matches nothing is a located error with the nearest names, exit 2', async () => {
    const bad = variant('bad', '  - { src: "edg.*", dst: fog, class: wifi }\n');
    const r = await runCliHere(['validate', bad]);
    expect(r.status).toBe(2);
    const line =
      readFileSync(bad, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('edg.*')) + 1;
    expect(r.stderr).toMatch(
      new RegExp(`bad\\.yaml:${line}:\\d+ network\\[0\\]\\.src: selector "edg\\.\\*" matches no`),
    );
    expect(r.stderr).toContain('nearest: "edge"');
  });

  it('a single instance of a multi-instance service is refused in a network constraint (the model shapes services)', async () => {
    const bad = variant('instance', '  - { src: edge, dst: fog.gateway.3, class: wifi }\n');
    const r = await runCliHere(['validate', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('picks single instances (fog.gateway.3)');
  });
});
