import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importE2clab } from '../../src/interop/e2clab/import.js';
import { InteropErrorCode } from '../../src/interop/errors.js';
import { runCliHere } from '../support/cli.js';

const fixtures = 'test/fixtures/e2clab';
const out = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-import-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs `import e2clab` on a fixture folder; returns the CLI result and the written scenario. */
async function imported(name: string, extra: string[] = []) {
  const file = path.join(out, `${name}.yaml`);
  const r = await runCliHere(['import', 'e2clab', path.join(fixtures, name), '-o', file, ...extra]);
  return { r, file, doc: r.status === 0 ? parse(readFileSync(file, 'utf8')) : undefined };
}

type Svc = {
  name: string;
  quantity: number;
  roles?: string[];
  metadata?: Record<string, unknown>;
  live?: Record<string, unknown>;
};
const services = (doc: { layers: { name: string; services: Svc[] }[] }) =>
  doc.layers.flatMap((l) => l.services.map((s) => ({ id: `${l.name}.${s.name}`, ...s })));

describe('e2ctwin import e2clab', () => {
  for (const name of ['full', 'plantnet', 'iot-kafka-flink']) {
    it(`${name}/: writes a scenario that e2ctwin validate accepts`, async () => {
      const { r, file } = await imported(name);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('validates');
      const v = await runCliHere(['validate', file]);
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout).toContain(': ok');
    });
  }

  it('repeat: 3 gives 4 services named <name>_1 … <name>_4, each with the quantity written', async () => {
    const { doc } = await imported('iot-kafka-flink');
    const fog = services(doc).filter((s) => s.id.startsWith('fog.'));
    expect(fog.map((s) => s.name)).toEqual(['gateway_1', 'gateway_2', 'gateway_3', 'gateway_4']);
    expect(fog.every((s) => s.quantity === 1)).toBe(true);
  });

  it('writes symmetric explicitly on every rule: false where E2Clab had none (its default), true where written', async () => {
    const { doc } = await imported('full');
    const e2clab = parse(readFileSync(path.join(fixtures, 'full/network.yaml'), 'utf8')).networks;
    expect(doc.network).toHaveLength(e2clab.length);
    doc.network.forEach((n: { symmetric?: boolean }, i: number) => {
      expect(typeof n.symmetric).toBe('boolean');
      expect(n.symmetric).toBe(e2clab[i].symmetric === true);
    });
    expect(doc.network.some((n: { symmetric: boolean }) => n.symmetric === false)).toBe(true);
  });

  it('turns unit strings into numbers with units in the name', async () => {
    const { doc } = await imported('full');
    expect(doc.network[0]).toMatchObject({ delayMs: 5, rateMbps: 10000, lossPercent: 0 });
    expect(doc.network[1]).toMatchObject({ delayMs: 50, rateMbps: 100, lossPercent: 0.5 });
    // "1s" and "125kbps" (bytes per second): 1000 ms and 1 Mbit/s.
    expect(doc.network[2]).toMatchObject({ delayMs: 1000, rateMbps: 1, lossPercent: 0.25 });
  });

  it('keeps roles and env/environment/cluster/archi as metadata, and servers as a testbed file', async () => {
    const tb = path.join(out, 'full-testbed.yaml');
    const { r, doc } = await imported('full', ['--testbed-out', tb]);
    expect(r.status, r.stderr).toBe(0);
    const server = services(doc).find((s) => s.id === 'cloud.server')!;
    expect(server.roles).toEqual(['monitoring', 'provenance']);
    expect(server.metadata).toMatchObject({ env: { port: 8080 }, environment: 'g5k', cluster: 'chifflot' });
    const client = services(doc).find((s) => s.id === 'edge.client')!;
    expect(client.metadata).toMatchObject({ archi: 'rpi3:at86rf233' });
    const testbed = parse(readFileSync(tb, 'utf8'));
    expect(testbed.services['cloud.server']).toEqual(['chifflot-1', 'chifflot-2']);
    expect(testbed.hosts.map((h: { address: string }) => h.address)).toEqual([
      'chifflot-1.lille.grid5000.fr',
      'chifflot-2.lille.grid5000.fr',
    ]);
  });

  it('marks placeholders in the file and prints the checklist of what to fill', async () => {
    const { r, file } = await imported('plantnet');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/# PLACEHOLDER: E2Clab has no app model/);
    expect(text).toMatch(/# PLACEHOLDER: E2Clab has no workload model/);
    expect(text).toMatch(/# PLACEHOLDER: E2Clab gives the run length/);
    expect(r.stdout).toContain('checklist');
    expect(r.stdout).toContain('cloud.engine: replace the placeholder app model');
    expect(r.stdout).toContain('edge.clients: replace the placeholder workload');
  });

  it('maps a launch shell task to the live command, with {{ prefix.url }} of a one-service dependency rewritten', async () => {
    const { doc } = await imported('plantnet');
    const [engine, clients] = services(doc);
    expect(engine!.live?.command).toBe('cd /opt/engine && ./run-engine --port 8080');
    expect(clients!.live?.command).toBe('./load-generator --users 50 --target {{ cloud.engine.url }}');
  });

  it('maps prepare/finalize shell, command and fetch tasks to live phases, and groupings to live.dependsOn', async () => {
    const { doc } = await imported('full');
    const all = services(doc);
    const server = all.find((s) => s.id === 'cloud.server')!;
    expect(server.live).toMatchObject({
      command: 'cd /opt/server && ./serve --port 8080',
      prepare: [['sh', '-c', 'tar xzf /opt/server/server.tgz -C /opt/server']],
      finalize: { commands: [['gzip', '-k', '/opt/server/srv.log']], files: ['/opt/server/srv.log'] },
    });
    const gw = all.find((s) => s.id === 'fog.gateway_1')!;
    expect(gw.live).toMatchObject({
      command: ['./gateway', '--upstream', '{{ servers[0] }}'],
      dependsOn: [{ selector: 'cloud.server.*', prefix: 'servers', grouping: 'asarray' }],
    });
    const client = all.find((s) => s.id === 'edge.client')!;
    // cloud.server has 2 instances: round_robin stays a grouping (instance i → server i mod 2).
    expect(client.live).toMatchObject({
      command: './client --target {{ server.url }} --run {{ current_repeat }}',
      launch: [['sh', '-c', 'echo second task']],
      dependsOn: [
        { selector: 'cloud.server', prefix: 'server', grouping: 'round_robin' },
        { selector: 'fog.gateway_1', prefix: 'gw', grouping: 'aggregate' },
      ],
    });
  });

  it('reports every field it does not map as a warning at the file:line:column of its key', () => {
    const r = importE2clab({ dir: path.join(fixtures, 'full'), outDir: out });
    expect(r.ok).toBe(true);
    const at = (file: string, p: string) =>
      r.warnings.find((w) => w.file.endsWith(file) && w.path === p && w.code === InteropErrorCode.UNMAPPED);
    // Line and column of the key, read from the fixture itself.
    const lines = readFileSync(path.join(fixtures, 'full/layers_services.yaml'), 'utf8').split('\n');
    for (const [p, key] of [
      ['monitoring', 'monitoring:'],
      ['provenance', 'provenance:'],
      ['monitoring_iotlab', 'monitoring_iotlab:'],
    ] as const) {
      const w = at('layers_services.yaml', p);
      expect(w, p).toBeDefined();
      expect(lines[w!.line - 1]!.slice(w!.column - 1).startsWith(key)).toBe(true);
    }
    expect(at('layers_services.yaml', 'layers[2].services[0].archi')).toBeDefined();
    const wf = readFileSync(path.join(fixtures, 'full/workflow.yaml'), 'utf8').split('\n');
    const lineOf = (p: string) => {
      const w = at('workflow.yaml', p);
      expect(w, p).toBeDefined();
      return wf[w!.line - 1]!.slice(w!.column - 1);
    };
    for (const p of ['[1].serial', '[1].gather_facts'])
      expect(lineOf(p).startsWith(p.split('.')[1]!)).toBe(true);
    // A copy task has no live form (live.files uploads files): a warning at the task.
    expect(lineOf('[0].prepare[0]')).toMatch(/^copy:/);
    // E2Clab's {{ servers[0] }} (a list index) has no live form: a warning at the task.
    expect(lineOf('[1].launch[0]')).toMatch(/^command:/);
    expect(r.warnings.every((w) => w.line > 0 && w.column > 0)).toBe(true);
  });

  const bad: [string, string, string][] = [
    ['bad-yaml', 'layers_services.yaml:3:', InteropErrorCode.SYNTAX],
    ['bad-testbed', 'layers_services.yaml:3:3 environment.vagrant', InteropErrorCode.UNKNOWN_TESTBED],
    ['bad-unit', 'network.yaml:2:50 networks[0].rate: "10 parsecs" is not a rate', InteropErrorCode.BAD_UNIT],
  ];
  for (const [name, where, code] of bad) {
    it(`${name}/: a located error, exit status 2, nothing written`, async () => {
      const { r, file } = await imported(name);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(where);
      expect(r.stderr).toContain(code);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(() => readFileSync(file)).toThrow();
    });
  }

  it('refuses to replace a file it did not write', async () => {
    const file = path.join(out, 'precious.yaml');
    writeFileSync(file, 'name: mine\n');
    const r = await runCliHere(['import', 'e2clab', path.join(fixtures, 'plantnet'), '-o', file]);
    expect(r.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('name: mine\n');
  });
});
