import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXPORT_LOSSES } from '../../src/interop/e2clab/export.js';
import { runCliHere } from '../support/cli.js';

const out = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-roundtrip-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The resolved scenario of a file (`validate --json`), without where it was read from. */
async function resolved(file: string): Promise<Record<string, unknown>> {
  const r = await runCliHere(['validate', '--json', file]);
  expect(r.status, r.stderr).toBe(0);
  const { source, ...rest } = JSON.parse(r.stdout).scenario;
  expect(source.file).toBe(path.resolve(file));
  return rest;
}

describe('e2ctwin export e2clab → import e2clab → validate', () => {
  for (const name of ['plantnet', 'iot-camera-fog-cloud']) {
    it(`scenarios/${name}.yaml comes back as the same resolved scenario (apart from its file name)`, async () => {
      const dir = path.join(out, name);
      const exp = await runCliHere(['export', 'e2clab', `scenarios/${name}.yaml`, '-o', dir]);
      expect(exp.status, exp.stderr).toBe(0);
      // The stated losses are printed, every one.
      for (const loss of EXPORT_LOSSES) expect(exp.stdout).toContain(loss);
      const back = path.join(out, `${name}-back.yaml`);
      const imp = await runCliHere(['import', 'e2clab', dir, '-o', back]);
      expect(imp.status, imp.stderr).toBe(0);
      expect(JSON.stringify(await resolved(back))).toBe(
        JSON.stringify(await resolved(`scenarios/${name}.yaml`)),
      );
    });
  }

  it("writes E2Clab's files as E2Clab reads them: unit strings, explicit symmetric, quoted walltime, a launch per live command", () => {
    const dir = path.join(out, 'plantnet');
    const ls = readFileSync(path.join(dir, 'layers_services.yaml'), 'utf8');
    // PyYAML (YAML 1.1) would read an unquoted 01:00:00 as the integer 3600.
    expect(ls).toContain('walltime: "01:00:00"');
    const layers = parse(ls);
    expect(layers.layers.map((l: { name: string }) => l.name)).toEqual(['cloud', 'edge']);
    expect(layers.layers[1].services[0]).toEqual({ name: 'users', quantity: 150 });
    const net = parse(readFileSync(path.join(dir, 'network.yaml'), 'utf8')).networks;
    const wan = parse(readFileSync('models/links/wan.yaml', 'utf8'));
    expect(net).toEqual([
      {
        src: 'edge',
        dst: 'cloud',
        delay: `${wan.delayMs}ms`,
        rate: `${wan.rateMbps}mbit`,
        loss: `${wan.lossPercent}%`,
        symmetric: true,
      },
    ]);
    const wf = parse(readFileSync(path.join(dir, 'workflow.yaml'), 'utf8'));
    expect(wf[1]).toEqual({
      hosts: 'edge.users.*',
      depends_on: [{ service_selector: 'cloud.engine.*', grouping: 'round_robin', prefix: 'cloud_engine' }],
      launch: [{ shell: 'e2ctwin drive --target {{ cloud_engine.url }}' }],
    });
  });

  it('without e2ctwin.yaml (the folder as E2Clab users have it), the import maps the E2Clab files alone and marks placeholders', async () => {
    const dir = path.join(out, 'bare');
    mkdirSync(dir);
    for (const f of ['layers_services.yaml', 'network.yaml', 'workflow.yaml'])
      writeFileSync(path.join(dir, f), readFileSync(path.join(out, 'plantnet', f)));
    const back = path.join(out, 'bare.yaml');
    const imp = await runCliHere(['import', 'e2clab', dir, '-o', back]);
    expect(imp.status, imp.stderr).toBe(0);
    const doc = parse(readFileSync(back, 'utf8'));
    expect(doc.layers[1].services[0].live.command).toBe('e2ctwin drive --target {{ cloud.engine.url }}');
    expect(doc.layers[1].services[0].workload.target).toBe('cloud.engine');
    expect(readFileSync(back, 'utf8')).toContain('# PLACEHOLDER');
  });

  it("live phases and dependsOn go through E2Clab's workflow.yaml alone (no e2ctwin.yaml) and come back the same", async () => {
    const fixture = 'test/live/fixtures/workflow-phases.yaml';
    const dir = path.join(out, 'phases');
    expect((await runCliHere(['export', 'e2clab', fixture, '-o', dir])).status).toBe(0);
    rmSync(path.join(dir, 'e2ctwin.yaml'));
    const back = path.join(out, 'phases-back.yaml');
    const imp = await runCliHere(['import', 'e2clab', dir, '-o', back]);
    expect(imp.status, imp.stderr).toBe(0);
    const liveOf = async (file: string) =>
      ((await resolved(file)).services as { id: string; live?: unknown }[]).find(
        (s) => s.id === 'edge.users',
      )!.live;
    expect(await liveOf(back)).toEqual(await liveOf(fixture));
  });

  it('refuses to replace a folder it did not write, and a scenario that does not validate (exit 2)', async () => {
    const mine = path.join(out, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'notes.txt'), 'keep');
    expect((await runCliHere(['export', 'e2clab', 'scenarios/plantnet.yaml', '-o', mine])).status).toBe(2);
    expect(readFileSync(path.join(mine, 'notes.txt'), 'utf8')).toBe('keep');
    const bad = path.join(out, 'bad.yaml');
    writeFileSync(
      bad,
      'name: x\nrun: {duration: 10}\nlayers: [{name: a, services: [{name: s, quantity: 0}]}]\n',
    );
    const r = await runCliHere(['export', 'e2clab', bad, '-o', path.join(out, 'bad-e2c')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('quantity');
  });
});
