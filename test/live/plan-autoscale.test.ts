import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveError } from '../../src/live/errors.js';
import { liveDynamics } from '../../src/live/measure/dynamics.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { DriverSpec, LivePlan } from '../../src/live/plan/types.js';
import { planErrorOf, planOf, THREE_CLOUDS, threeClouds } from './plan-support.js';
import { repoRoot, runCliHere } from '../support/cli.js';

// An autoscaled service in the live plan: max instances deployed (those above the quantity dormant),
// the controller's data, the drivers ready to take counts at run time, and what a testbed cannot do
// refused before anything is built.

const base = readFileSync(path.join(repoRoot, 'test/live/fixtures/plantnet-small.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-plan-autoscale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const testbed = threeClouds;
// The same testbed as a file, for the CLI (JSON is YAML).
const testbedFile = path.join(dir, 'testbed.yaml');
writeFileSync(
  testbedFile,
  JSON.stringify({ name: 'three-clouds', subnet: '10.211.0.0/24', ...THREE_CLOUDS }),
);

const AUTOSCALE =
  '        autoscale: { metric: utilization, pool: extract, target: 0.6, min: 1, max: 3, windowS: 4, cooldownS: 6, scaleInCooldownS: 8 }\n';

/** plantnet-small with an autoscaler on cloud.engine (`policy`: its balance line), edited by `edit`, plus `extra`. */
function scenario(
  name: string,
  o: { autoscale?: string; edit?: (s: string) => string; extra?: string } = {},
) {
  const file = path.join(dir, `${name}.yaml`);
  const text = base.replace(
    '        app: plantnet-engine\n',
    `        app: plantnet-engine\n        balance: least-outstanding\n${o.autoscale ?? AUTOSCALE}`,
  );
  writeFileSync(file, `${(o.edit ?? ((s) => s))(text)}\n${o.extra ?? ''}\n`);
  return file;
}

const plan = (file: string, durationS?: number): LivePlan => planOf(file, testbed, durationS);
const planError = (file: string): LiveError => planErrorOf(file, testbed);

describe('an autoscaled service in the live plan', () => {
  it('deploys max instances (those above the quantity dormant), and the controller’s data with times scaled by --duration', () => {
    const p = plan(scenario('ok'), 40);
    const engines = p.processes.filter((x) => x.service === 'cloud.engine');
    expect(engines.map((x) => [x.id, x.dormant ?? false])).toEqual([
      ['cloud.engine@cloud-1', false],
      ['cloud.engine@cloud-2', true],
      ['cloud.engine@cloud-3', true],
    ]);
    // The scenario's 20 s run made 40 s: windows and cool-downs twice as long, as the events' times.
    expect(p.autoscalers).toEqual([
      {
        service: 'cloud.engine',
        metric: 'utilization',
        pool: 'extract',
        target: 0.6,
        min: 1,
        max: 3,
        windowS: 8,
        cooldownS: 12,
        scaleInCooldownS: 16,
        quantity: 1,
        processes: ['cloud.engine@cloud-1', 'cloud.engine@cloud-2', 'cloud.engine@cloud-3'],
        drivers: ['edge.users@edge-1'],
        driverPort: 18080,
      },
    ]);
    expect(p.events).toEqual([]);
  });

  it('says that a start-up law is not waited for live (a new instance serves once its process is ready)', () => {
    expect(plan(scenario('no-startup')).warnings.filter((w) => w.includes('startupS'))).toEqual([]);
    const p = plan(scenario('startup', { autoscale: AUTOSCALE.replace(' }\n', ', startupS: 30 }\n') }));
    expect(p.warnings).toContain(
      "cloud.engine: autoscale: startupS is the simulator's cold start; live, a new instance serves once its process is ready (its own start-up)",
    );
  });

  it('its drivers start balancing over its quantity, every instance’s URL known, the counts to come at run time', () => {
    const p = plan(scenario('drivers'));
    const file = p.files.find((f) => f.path === 'edge.users/spec.json')!;
    const spec = JSON.parse(file.content!) as DriverSpec;
    expect(spec.targetUrls).toHaveLength(3);
    expect(spec.scaleFrom).toBe(1);
    expect(spec.scaleSteps).toEqual([]);
    expect(spec.balance).toEqual({ policy: 'least-outstanding' });
  });

  it('--dry-run prints the autoscaler and the dormant instances', async () => {
    const out = await runCliHere(['live', scenario('dry'), '--testbed', testbedFile, '--dry-run']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain(
      'autoscaler cloud.engine: every 4 s, utilization of pool extract (GET /stats of the engines serving) → ceil(serving × utilization / 0.6) within [1, 3], cool-down 6 s, scale-in 8 s;',
    );
    expect(out.stdout).toMatch(/\(deployed; started by the autoscaler\)/);
  });

  it.each([
    [
      'a p95 metric (the engine has no response-time distribution)',
      {
        autoscale: AUTOSCALE.replace(
          'metric: utilization, pool: extract, target: 0.6',
          'metric: p95, target: 2',
        ),
      },
      /^cloud\.engine: autoscale: metric p95 is not measured live/,
      'autoscale.metric',
      'metric: p95',
    ],
    [
      'the static balance',
      { edit: (s: string) => s.replace('balance: least-outstanding', 'balance: static') },
      /^cloud\.engine: autoscale: cloud\.engine has the static balance/,
      'balance',
      'balance: static',
    ],
    [
      'a container',
      { edit: (s: string) => s.replace('command: e2ctwin engine --port 8080', 'image: busybox:latest') },
      /^cloud\.engine: autoscale: cloud\.engine@cloud-1 runs the container image busybox:latest: autoscaling is applied live to processes/,
      'live',
      '        live:',
    ],
    [
      'a command other than the engine',
      {
        edit: (s: string) =>
          s.replace(
            'command: e2ctwin engine --port 8080',
            'command: [busybox, httpd, -f, -p, "8080", -h, .]',
          ),
      },
      /^cloud\.engine: autoscale: cloud\.engine@cloud-1 is not the reference engine .*reads the engine's \/stats/,
      'live',
      '        live:',
    ],
  ])('refuses %s: a plan error located at the field, exit 2', async (_name, o, message, field, written) => {
    const file = scenario(`bad-${field}-${String(message).length}`, o);
    const e = planError(file);
    expect(e.code).toBe('E2C_ERR_LIVE_PLAN');
    expect(e.message).toMatch(message);
    expect(e.details).toMatchObject({ service: 'cloud.engine', field });
    const out = await runCliHere(['live', file, '--testbed', testbedFile, '--dry-run']);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/\[E2C_ERR_LIVE_PLAN\]/);
    // file:line:col of the field's key (the first line that writes it: the engine's, before the users').
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes(written)) + 1;
    expect(line).toBeGreaterThan(0);
    const column = lines[line - 1]!.indexOf(written.trim()) + 1;
    expect(out.stderr).toContain(
      `error: ${file}:${line}:${column} layers[0].services[0].${field}: cloud.engine: autoscale: `,
    );
  });

  it('refuses a stop, restart or scale event on the autoscaled service (its autoscaler alone starts and stops its instances)', () => {
    const e = planError(
      scenario('stop', { extra: 'events:\n  - { at: 5, action: stop, service: cloud.engine, instance: 0 }' }),
    );
    expect(e.message).toMatch(
      /^events: stop cloud\.engine at 5 s: the service is autoscaled, and live mode lets its autoscaler alone start and stop its instances/,
    );
    expect(e.details).toMatchObject({ event: 0, service: 'cloud.engine' });
  });
});

describe('live dynamics of an autoscaled service: the simulator’s keys', () => {
  const timeline = {
    windowS: 1,
    start: Array.from({ length: 6 }, (_, i) => 2 + i),
    responseTimeMean: [],
    throughput: [],
    abandoned: [],
  };
  const win = { start: 0, warmupEnd: 2, end: 8 };

  it('its instances over time, even when the autoscaler never acted (as the simulator always gives them)', () => {
    const d = liveDynamics(loadScenarioOrThrow(scenario('dyn-none')), win, timeline, [], []);
    expect(d.timeline.instances['cloud.engine']).toEqual([1, 1, 1, 1, 1, 1]);
    expect(d.markers).toEqual([]);
  });

  it('an autoscale marker sets the count from its applied time', () => {
    const d = liveDynamics(
      loadScenarioOrThrow(scenario('dyn-acted')),
      win,
      timeline,
      [],
      [
        { t: 4.5, kind: 'autoscale', service: 'cloud.engine', value: 3 },
        { t: 6, kind: 'autoscale', service: 'cloud.engine', value: 2 },
      ],
    );
    expect(d.timeline.instances['cloud.engine']).toEqual([1, 1, 2, 3, 2, 2]);
    expect(d.instances['cloud.engine']!.max).toBe(3);
    expect(d.markers).toEqual([
      { t: 4.5, kind: 'autoscale', service: 'cloud.engine', value: 3 },
      { t: 6, kind: 'autoscale', service: 'cloud.engine', value: 2 },
    ]);
  });
});
