import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliHere } from '../support/cli.js';

describe('e2ctwin (command line)', () => {
  it('--help lists every verb, and each verb has its own --help', async () => {
    const r = await runCliHere(['--help']);
    expect(r.status).toBe(0);
    const commands = r.stdout.slice(r.stdout.indexOf('Commands:')).split('\n\n')[0]!;
    const verbs = [...commands.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
      .map((m) => m[1]!)
      .filter((v) => v !== 'help');
    expect(verbs).toEqual(expect.arrayContaining(['validate', 'schema']));
    for (const verb of verbs) {
      const h = await runCliHere([verb, '--help']);
      expect(h.status, verb).toBe(0);
      expect(h.stdout).toContain(`Usage: e2ctwin ${verb}`);
    }
  });

  it('validate prints the resolved summary of every shipped scenario and exits 0', async () => {
    const files = readdirSync(path.join(repoRoot, 'scenarios'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `scenarios/${f}`);
    const r = await runCliHere(['validate', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scenarios/plantnet.yaml: ok');
    expect(r.stdout).toContain('cloud.engine ×1 on gpu-v100');
  });

  it('validate of a bad scenario exits 2 with located errors and no stack trace', async () => {
    const r = await runCliHere(['validate', 'test/fixtures/bad-scenarios/unknown-key-service.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'test/fixtures/bad-scenarios/unknown-key-service.yaml:13:9 layers[1].services[0].qty: unknown key "qty" (did you mean "quantity"?)',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad --set exits 2 and names the override', async () => {
    const r = await runCliHere([
      'validate',
      'scenarios/plantnet.yaml',
      '--set',
      'cloud.engine.pools.extract=zero',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--set layers[0].services[0].pools.extract');
  });

  it('an unknown verb or option is a usage error (exit 2)', () => {
    expect(runCli(['simulat']).status).toBe(2);
    expect(runCli(['validate', '--frobnicate', 'x.yaml']).status).toBe(2);
  });

  it('schema prints exactly the checked-in scenarios/scenario.schema.json', async () => {
    const r = await runCliHere(['schema']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(repoRoot, 'scenarios/scenario.schema.json'), 'utf8'));
  });
});
