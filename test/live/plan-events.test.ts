import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveError } from '../../src/live/errors.js';
import type { EngineSnapshot } from '../../src/live/app/engine.js';
import { liveDynamics } from '../../src/live/measure/dynamics.js';
import { continueCounters } from '../../src/live/measure/engine-counters.js';
import { buildPlan } from '../../src/live/plan/build.js';
import { formatPlan } from '../../src/live/plan/format.js';
import { fallbackCommands, linkChangeCommands } from '../../src/live/plan/network.js';
import type { DriverSpec, LivePlan, PlanLinkEvent, PlanScaleEvent } from '../../src/live/plan/types.js';
import { parseTestbed } from '../../src/live/testbed/load.js';
import { planErrorOf, planOf, threeClouds } from './plan-support.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import type { SpanRecord } from '../../src/trace/index.js';
import { repoRoot, runCliHere } from '../support/cli.js';

// Timed events in live mode, as data: which ones the plan carries (with their commands in both shaping
// forms), which ones it refuses before anything is built, and the dynamics part of the live metrics.

const fixture = path.join(repoRoot, 'test/live/fixtures/plantnet-events.yaml');
const base = readFileSync(path.join(repoRoot, 'test/live/fixtures/plantnet-small.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'e2ctwin-plan-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const testbed = parseTestbed(
  {
    provider: 'local',
    hosts: [{ name: 'cloud-1' }, { name: 'fog-1' }, { name: 'edge-1' }, { name: 'edge-2' }],
    services: { cloud: ['cloud-1'], fog: ['fog-1'], edge: ['edge-1', 'edge-2'] },
  },
  'inline.yaml',
);

/** plantnet-small with `extra` YAML appended (events, services), written to a file of the test's folder. */
function scenarioWith(name: string, extra: string, edit: (s: string) => string = (s) => s): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `${edit(base)}\n${extra}\n`);
  return file;
}

const plan = (file: string, durationS?: number): LivePlan => planOf(file, testbed, durationS);
const planError = (file: string): LiveError => planErrorOf(file, testbed);

describe('live events in the plan', () => {
  it('carries stop and link events in time order, at their scenario time scaled like the workload by --duration', () => {
    const p = plan(fixture);
    expect(p.events.map((e) => [e.action, e.at, e.offsetS])).toEqual([
      ['link', 12, 12],
      ['stop', 24, 24],
    ]);
    const stop = p.events[1]!;
    expect(stop).toMatchObject({ service: 'cloud.engine', instance: 0, process: 'cloud.engine@cloud-1' });
    // Twice the scenario's 30 s: the events come twice as late, as the profile does.
    expect(plan(fixture, 60).events.map((e) => e.offsetS)).toEqual([24, 48]);
    // Past the end of the run: not applied, and said so.
    const late = plan(
      scenarioWith('late', 'events:\n  - { at: 40, action: link-restore, src: edge, dst: cloud }'),
    );
    expect(late.events).toEqual([]);
    expect(late.warnings).toContain(
      'events: link-restore edge → cloud at 40 s: at or after the end of the workload (20 s): not applied',
    );
  });

  it('a link event changes the netem class and child of every pair of its constraint, and gives the userspace switch every pair’s delay', () => {
    const link = plan(fixture).events[0] as PlanLinkEvent;
    expect(link.conditions).toEqual({ delayMs: 300, rateMbps: 20, lossPercent: 0, cut: false });
    // cloud-1's pairs: 1:1 → fog-1 (constraint 1), 1:2 → edge-1, 1:3 → edge-2 (constraint 0); netem handles 10:, 11:, 12:.
    expect(link.commands.netem['cloud-1']).toEqual([
      [
        'tc',
        'class',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:',
        'classid',
        '1:2',
        'htb',
        'rate',
        '20000kbit',
      ],
      [
        'tc',
        'qdisc',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:2',
        'handle',
        '11:',
        'netem',
        'delay',
        '300ms',
        'loss',
        '0%',
      ],
      [
        'tc',
        'class',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:',
        'classid',
        '1:3',
        'htb',
        'rate',
        '20000kbit',
      ],
      [
        'tc',
        'qdisc',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:3',
        'handle',
        '12:',
        'netem',
        'delay',
        '300ms',
        'loss',
        '0%',
      ],
    ]);
    expect(link.commands.netem['fog-1']).toBeUndefined();
    expect(Object.keys(link.commands.netem).sort()).toEqual(['cloud-1', 'edge-1', 'edge-2']);
    // Only the delay changed: no kernel command in the fallback, all pairs' delays for the switch.
    expect(link.commands.fallback.kernel).toEqual({});
    expect(link.commands.fallback.delays).toEqual([
      { src: 'cloud-1', dst: 'fog-1', delayMs: 5 },
      { src: 'cloud-1', dst: 'edge-1', delayMs: 300 },
      { src: 'cloud-1', dst: 'edge-2', delayMs: 300 },
      { src: 'fog-1', dst: 'cloud-1', delayMs: 5 },
      { src: 'edge-1', dst: 'cloud-1', delayMs: 300 },
      { src: 'edge-2', dst: 'cloud-1', delayMs: 300 },
    ]);
  });

  it('fallback: a rate change on the htb class, a loss change rewrites the nft chain with every current loss, link-restore goes back', () => {
    const file = scenarioWith(
      'fallback',
      [
        'events:',
        '  - { at: 5, action: link, src: fog, dst: cloud, rateMbps: 2, lossPercent: 1.5 }',
        '  - { at: 8, action: link, src: edge, dst: cloud, lossPercent: 3 }',
        '  - { at: 10, action: link-restore, src: fog, dst: cloud }',
      ].join('\n'),
    );
    const p = plan(file);
    const [fog, edge, restore] = p.events as PlanLinkEvent[];
    // Both constraints have a rate from the start: no pair needs an extra class.
    expect(p.network.rules.filter((r) => r.classed)).toEqual([]);
    const rule = (loss: string, dst: string) => [
      ...['nft', 'add', 'rule', 'inet', 'e2ctwin_abc12', 'out', 'oifname', 'e2cabc120', 'ip', 'daddr', dst],
      ...['numgen', 'random', 'mod', '1000000', '<', loss, 'drop'],
    ];
    const chain = [
      ['nft', 'add', 'table', 'inet', 'e2ctwin_abc12'],
      ['nft', 'add', 'chain', 'inet', 'e2ctwin_abc12', 'out', '{ type filter hook output priority 0 ; }'],
      ['nft', 'flush', 'chain', 'inet', 'e2ctwin_abc12', 'out'],
    ];
    expect(fog!.commands.fallback.kernel['cloud-1']).toEqual([
      [
        'tc',
        'class',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:',
        'classid',
        '1:1',
        'htb',
        'rate',
        '2000kbit',
      ],
      ...chain,
      rule('15000', '10.211.0.11'),
    ]);
    expect(fog!.commands.fallback.delays).toBeUndefined();
    // edge → cloud's loss: cloud-1's chain keeps fog-1's 1.5 % and gets edge-1's and edge-2's 3 %.
    expect(edge!.commands.fallback.kernel['cloud-1']).toEqual([
      ...chain,
      rule('15000', '10.211.0.11'),
      rule('30000', '10.211.0.12'),
      rule('30000', '10.211.0.13'),
    ]);
    // Restored: 50 Mbit/s and no loss on fog-1's pair again; edge's 3 % stays.
    expect(restore!.conditions).toEqual({ delayMs: 5, rateMbps: 50, lossPercent: 0, cut: false });
    expect(restore!.commands.fallback.kernel['cloud-1']).toEqual([
      [
        'tc',
        'class',
        'change',
        'dev',
        'e2cabc120',
        'parent',
        '1:',
        'classid',
        '1:1',
        'htb',
        'rate',
        '50000kbit',
      ],
      ...chain,
      rule('30000', '10.211.0.12'),
      rule('30000', '10.211.0.13'),
    ]);
  });

  it('an unshaped pair that a link event gives a rate gets its fallback htb class from the start', () => {
    const file = scenarioWith(
      'unshaped',
      'events:\n  - { at: 5, action: link, src: fog, dst: cloud, rateMbps: 4 }',
      (s) =>
        s.replace(
          '{ src: fog, dst: cloud, delayMs: 5, rateMbps: 50, symmetric: true }',
          '{ src: fog, dst: cloud, delayMs: 5, symmetric: true }',
        ),
    );
    const p = plan(file);
    const fogRule = p.network.rules.find((r) => r.src === 'fog-1')!;
    expect(fogRule.rateMbps).toBe(Infinity);
    expect(fogRule.classed).toBe(true);
    expect(p.network.fallback.kernel['fog-1']).toContainEqual([
      'tc',
      'class',
      'add',
      'dev',
      'e2cabc121',
      'parent',
      '1:',
      'classid',
      '1:1',
      'htb',
      'rate',
      '10gbit',
    ]);
    expect((p.events[0] as PlanLinkEvent).commands.fallback.kernel['fog-1']).toEqual([
      [
        'tc',
        'class',
        'change',
        'dev',
        'e2cabc121',
        'parent',
        '1:',
        'classid',
        '1:1',
        'htb',
        'rate',
        '4000kbit',
      ],
    ]);
    // Without the event, the pair has no class (the fallback shapes only what has a rate).
    const plain = { ...fogRule, classed: false };
    expect(fallbackCommands([plain], 't').kernel['fog-1']).toBeUndefined();
  });

  it('linkChangeCommands: no delay list when the delay stays, every pair when it changes', () => {
    const p = plan(fixture);
    const c = (delayMs: number) =>
      linkChangeCommands({
        rules: p.network.rules,
        conditions: new Map([[1, { delayMs, rateMbps: 50, lossPercent: 0 }]]),
        constraint: 1,
        before: { delayMs: 5, rateMbps: 50, lossPercent: 0 },
        nftTable: 't',
      });
    expect(c(5).fallback.delays).toBeUndefined();
    expect(c(9).fallback.delays?.filter((d) => d.delayMs === 9)).toEqual([
      { src: 'cloud-1', dst: 'fog-1', delayMs: 9 },
      { src: 'fog-1', dst: 'cloud-1', delayMs: 9 },
    ]);
  });
});

describe('load steps live', () => {
  it('go to the spec of every driver of their workload (scenario times), not to the controller, and --dry-run says so', async () => {
    const file = scenarioWith(
      'load',
      'events:\n  - { at: 8, action: load, service: edge.users, factor: 2 }\n  - { at: 14, action: load, service: edge.users, factor: 0.5 }',
    );
    const p = plan(file, 40);
    expect(p.events.map((e) => [e.action, e.at, e.offsetS])).toEqual([
      ['load', 8, 16],
      ['load', 14, 28],
    ]);
    expect(p.events[0]).toMatchObject({
      service: 'edge.users',
      factor: 2,
      drivers: ['edge.users@edge-1', 'edge.users@edge-2'],
    });
    const specs = p.files
      .filter((f) => f.path.startsWith('edge.users/') && f.content?.includes('"kind": "driver"'))
      .map((f) => JSON.parse(f.content!) as DriverSpec);
    expect(specs).toHaveLength(2);
    for (const sp of specs) {
      // Scenario seconds, as the profile's: the driver scales them with profileTimeScale (here 20/40).
      expect(sp.loadSteps).toEqual([
        { index: 0, at: 8, factor: 2 },
        { index: 1, at: 14, factor: 0.5 },
      ]);
      expect(sp.profileTimeScale).toBe(0.5);
    }
    // Other drivers' specs carry no steps.
    expect(plan(fixture).files.filter((f) => f.content?.includes('"loadSteps"'))).toEqual([]);
    const out = await runCliHere(['live', file, '--testbed', 'testbeds/local.yaml', '--dry-run']);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(
      /\+8 s {2}load edge\.users ×2 at 8 s: applied by edge\.users@edge-1, edge\.users@edge-2 at its time/,
    );
  });
});

describe('scale events in the plan', () => {
  const scaleTestbed = threeClouds;
  const scaled = () =>
    buildPlan(
      loadScenarioOrThrow(
        scenarioWith(
          'scale',
          'events:\n  - { at: 5, action: scale, service: cloud.engine, instances: 3 }\n  - { at: 9, action: scale, service: cloud.engine, instances: 1 }',
        ),
      ),
      scaleTestbed,
      { runId: 'abc12', stateDir: '/tmp/e2ctwin-live/abc12' },
    );

  it('deploys the most instances the events ask for, those above the quantity dormant; starts the lowest and drains the highest first', () => {
    const p = scaled();
    const engines = p.processes.filter((x) => x.service === 'cloud.engine');
    expect(engines.map((x) => [x.id, x.dormant ?? false])).toEqual([
      ['cloud.engine@cloud-1', false],
      ['cloud.engine@cloud-2', true],
      ['cloud.engine@cloud-3', true],
    ]);
    const [out3, in1] = p.events as PlanScaleEvent[];
    expect(out3).toMatchObject({
      action: 'scale',
      instances: 3,
      start: ['cloud.engine@cloud-2', 'cloud.engine@cloud-3'],
      stop: [],
      drivers: ['edge.users@edge-1'],
    });
    expect(in1).toMatchObject({
      instances: 1,
      start: [],
      stop: ['cloud.engine@cloud-3', 'cloud.engine@cloud-2'],
    });
    // The drivers balance over every deployed instance, from the quantity, with the steps in their spec.
    const spec = JSON.parse(p.files.find((f) => f.path === 'edge.users/spec.json')!.content!) as DriverSpec;
    expect(spec.targetUrls).toHaveLength(3);
    expect(spec.scaleFrom).toBe(1);
    expect(spec.scaleSteps).toEqual([
      { index: 0, at: 5, instances: 3 },
      { index: 1, at: 9, instances: 1 },
    ]);
    expect(spec.balance?.policy).toBe('round-robin');
  });

  it('--dry-run says which processes start and which are drained', () => {
    const lines = formatPlan(scaled()).split('\n');
    expect(lines).toContain(
      '  +5 s  scale cloud.engine to 3 at 5 s: start cloud.engine@cloud-2, cloud.engine@cloud-3 (each until ready); balanced by edge.users@edge-1 at its time (in its spec)',
    );
    expect(
      lines.some(
        (l) =>
          l.includes('[service] cloud.engine@cloud-3') && l.endsWith('(deployed; started by a scale event)'),
      ),
    ).toBe(true);
  });

  it('a service with the static balance is refused (each client keeps its instance: nothing to rebalance)', () => {
    const file = scenarioWith(
      'scale-static',
      'events:\n  - { at: 5, action: scale, service: cloud.engine, instances: 2 }',
      (s) =>
        s.replace(
          '        app: plantnet-engine\n',
          '        app: plantnet-engine\n        balance: static\n',
        ),
    );
    let err: LiveError | undefined;
    try {
      buildPlan(loadScenarioOrThrow(file), scaleTestbed, { runId: 'abc12', stateDir: '/tmp/x' });
    } catch (e) {
      err = e as LiveError;
    }
    expect(err?.code).toBe('E2C_ERR_LIVE_PLAN');
    expect(err?.message).toBe(
      'events: scale cloud.engine to 2 at 5 s: cloud.engine has the static balance (each client keeps its instance): give it a balance policy to scale it live',
    );
    expect(err?.details).toMatchObject({ event: 0, service: 'cloud.engine' });
  });

  it('a container service is refused (a command or the reference engine is scaled)', () => {
    const file = scenarioWith(
      'scale-image',
      'events:\n  - { at: 5, action: scale, service: cloud.engine, instances: 2 }',
      (s) =>
        s.replace(
          '          command: e2ctwin engine --port 8080\n',
          '          image: "e2ctwin/engine:test"\n',
        ),
    );
    let err: LiveError | undefined;
    try {
      buildPlan(loadScenarioOrThrow(file), scaleTestbed, { runId: 'abc12', stateDir: '/tmp/x' });
    } catch (e) {
      err = e as LiveError;
    }
    expect(err?.code).toBe('E2C_ERR_LIVE_PLAN');
    expect(err?.message).toMatch(/cloud\.engine runs as a container: scaling it is not applied in live mode/);
  });
});

describe('pool events live', () => {
  const poolEvents =
    'events:\n  - { at: 6, action: pool, service: cloud.engine, pool: extract, size: 4 }\n  - { at: 14, action: pool, service: cloud.engine, pool: extract, size: 1 }';

  it('go to the service’s engines as data (pool, size, processes), at their time scaled by --duration, and --dry-run prints them', async () => {
    const file = scenarioWith('pool', poolEvents);
    const p = plan(file, 40);
    expect(p.events).toEqual([
      {
        index: 0,
        at: 6,
        offsetS: 12,
        label: 'pool cloud.engine extract → 4 at 6 s',
        action: 'pool',
        service: 'cloud.engine',
        pool: 'extract',
        size: 4,
        processes: ['cloud.engine@cloud-1'],
      },
      expect.objectContaining({ index: 1, offsetS: 28, size: 1, processes: ['cloud.engine@cloud-1'] }),
    ]);
    const out = await runCliHere(['live', file, '--testbed', 'testbeds/local.yaml', '--dry-run']);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(
      '+6 s  pool cloud.engine extract → 4 at 6 s: POST /pools {"pool": "extract", "size": 4} to cloud.engine@cloud-1',
    );
    expect(out.stdout).toContain('+14 s  pool cloud.engine extract → 1 at 14 s: POST /pools');
  });

  it.each([
    [
      'a plain command',
      (s: string) =>
        s.replace('command: e2ctwin engine --port 8080', 'command: [busybox, httpd, -f, -p, "8080", -h, .]'),
      /cloud\.engine@cloud-1 is not the reference engine \(its live command is not `e2ctwin engine`\): only the engine resizes a pool/,
    ],
    [
      'a container',
      (s: string) => s.replace('command: e2ctwin engine --port 8080', 'image: busybox:latest'),
      /cloud\.engine@cloud-1 runs the container image busybox:latest: only the engine resizes a pool/,
    ],
  ])('on a service whose live process is %s: a located plan error, exit 2', async (name, edit, message) => {
    const file = scenarioWith(`pool-${name.replace(/ /g, '-')}`, poolEvents, edit);
    const e = planError(file);
    expect(e.code).toBe('E2C_ERR_LIVE_PLAN');
    expect(e.message).toMatch(/^events: pool cloud\.engine at 6 s: /);
    expect(e.message).toMatch(message);
    expect(e.details).toMatchObject({ event: 0, service: 'cloud.engine' });
    const out = await runCliHere(['live', file, '--testbed', 'testbeds/local.yaml', '--dry-run']);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/\[E2C_ERR_LIVE_PLAN\]/);
  });

  it('a command that runs e2ctwin engine, as a list or a shell string, is the engine', async () => {
    for (const command of ['[e2ctwin, engine, --port, "8080"]', 'exec e2ctwin engine --port 8080']) {
      const file = scenarioWith('pool-list', poolEvents, (s) =>
        s.replace('command: e2ctwin engine --port 8080', `command: ${command}`),
      );
      expect(plan(file).events.map((e) => e.action)).toEqual(['pool', 'pool']);
    }
  });
});

describe('events live mode cannot apply are refused before anything is built', () => {
  it.each([
    [
      'load-periodic',
      'events:\n  - { at: 5, action: load, service: edge.users, factor: 2 }',
      /edge\.users has periodic arrivals: the live driver does not vary their rate/,
      (s: string) =>
        s.replace(
          /\{\s*kind: closed,[\s\S]*?patienceS: 15,\s*\}/,
          '{ kind: open, target: cloud.engine, ratePerS: 2, arrivals: periodic }',
        ),
    ],
    [
      'recovery',
      'events:\n  - { at: 5, action: stop, service: cloud.engine, recovery: 3 }',
      /random recovery is not applied.*restart event/,
    ],
  ] as [string, string, RegExp, ((s: string) => string)?][])(
    '%s: a located plan error',
    (_name, extra, message, edit) => {
      const e = planError(scenarioWith(`refuse-${_name}`, extra, edit));
      expect(e.code).toBe('E2C_ERR_LIVE_PLAN');
      expect(e.message).toMatch(/^events: /);
      expect(e.message).toMatch(message);
      expect(e.details.event).toBe(0);
    },
  );

  it('an instance sharing its process with another cannot be stopped alone', () => {
    const i = base.indexOf('network:');
    const file = path.join(dir, 'shared.yaml');
    writeFileSync(
      file,
      `${base.slice(0, i)}  - name: worker
    services:
      - name: batch
        quantity: 2
        host: { name: box, cpu: { cores: 2, speed: 1 } }
        app: { stages: [{ name: work, resource: cpu, demand: 0.01 }] }
        live: { command: [sleep, "100"] }
${base.slice(i)}
events:
  - { at: 5, action: stop, service: worker.batch, instance: 1 }
`,
    );
    const tb = parseTestbed(
      {
        provider: 'local',
        hosts: [{ name: 'cloud-1' }, { name: 'fog-1' }, { name: 'edge-1' }, { name: 'edge-2' }],
        services: { cloud: ['cloud-1'], fog: ['fog-1'], edge: ['edge-1', 'edge-2'], worker: ['fog-1'] },
      },
      'inline.yaml',
    );
    let err: LiveError | undefined;
    try {
      buildPlan(loadScenarioOrThrow(file), tb, { runId: 'abc12', stateDir: '/tmp/x' });
    } catch (e) {
      err = e as LiveError;
    }
    expect(err?.code).toBe('E2C_ERR_LIVE_PLAN');
    expect(err?.message).toBe(
      'events: stop worker.batch#1 at 5 s: worker.batch@fog-1 runs worker.batch#0, worker.batch#1 in one process: it cannot stop one of them alone (give the service one host per instance)',
    );
  });

  it('a link cut refuses the pairs of its constraint (TCP reset, the rest dropped) in both forms, the shaping kept; its restore empties the chain', () => {
    const file = scenarioWith(
      'cut',
      'events:\n  - { at: 5, action: link, src: edge, dst: cloud, cut: true }\n  - { at: 9, action: link-restore, src: edge, dst: cloud }',
    );
    const p = plan(file);
    const [cut, restore] = p.events as PlanLinkEvent[];
    // The conditions are kept for after the cut (as the simulator does).
    expect(cut!.conditions).toEqual({ delayMs: 20, rateMbps: 20, lossPercent: 0, cut: true });
    expect(restore!.conditions).toEqual({ delayMs: 20, rateMbps: 20, lossPercent: 0, cut: false });
    const addr = (h: string) => p.hosts.find((x) => x.name === h)!.address;
    const rejects = (cmds: string[][]) =>
      cmds.filter((c) => c.includes('reject')).map((c) => c[c.indexOf('daddr') + 1]);
    // Every source host of the constraint, in both directions; fog-1 (another constraint) untouched.
    const hosts = ['cloud-1', 'edge-1', 'edge-2'];
    expect(Object.keys(cut!.commands.netem).sort()).toEqual(hosts);
    expect(Object.keys(cut!.commands.fallback.kernel).sort()).toEqual(hosts);
    for (const form of [cut!.commands.netem, cut!.commands.fallback.kernel]) {
      expect(rejects(form['edge-1']!)).toEqual([addr('cloud-1')]);
      expect(rejects(form['cloud-1']!).sort()).toEqual([addr('edge-1'), addr('edge-2')].sort());
      // No shaping command: a cut alone leaves delay, rate and loss as they are.
      for (const cmds of Object.values(form)) expect(cmds.some((c) => c[0] === 'tc')).toBe(false);
      // Each refused pair: TCP answered by a reset, everything else dropped, in the run's cut chain.
      expect(form['edge-1']).toContainEqual([
        'nft',
        'add',
        'rule',
        'inet',
        p.network.nftTable,
        'cut',
        'oifname',
        p.hosts.find((h) => h.name === 'edge-1')!.interface,
        'ip',
        'daddr',
        addr('cloud-1'),
        'meta',
        'l4proto',
        'tcp',
        'reject',
        'with',
        'tcp',
        'reset',
      ]);
    }
    expect(cut!.commands.fallback.delays).toBeUndefined();
    // The restore flushes the chains and refuses nothing.
    for (const form of [restore!.commands.netem, restore!.commands.fallback.kernel]) {
      expect(Object.keys(form).sort()).toEqual(hosts);
      for (const cmds of Object.values(form)) {
        expect(cmds).toContainEqual(['nft', 'flush', 'chain', 'inet', p.network.nftTable, 'cut']);
        expect(rejects(cmds)).toEqual([]);
      }
    }
  });

  it('e2ctwin live --dry-run prints the events with their commands, and exits 2 on one it cannot apply', async () => {
    const ok = await runCliHere(['live', fixture, '--testbed', 'testbeds/local.yaml', '--dry-run']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('events (each repetition, seconds after its workload start):');
    expect(ok.stdout).toMatch(
      /\+12 s {2}link edge → cloud at 12 s \(delay 300 ms\): constraint 0 → delay 300 ms/,
    );
    expect(ok.stdout).toMatch(
      /netem cloud-1\$ tc qdisc change dev e2c\w+ parent 1:2 handle 11: netem delay 300ms loss 0%/,
    );
    expect(ok.stdout).toContain('+24 s  stop cloud.engine#0 at 24 s: stop cloud.engine@cloud-1');
    const bad = await runCliHere([
      'live',
      scenarioWith(
        'cli-recovery',
        'events:\n  - { at: 5, action: stop, service: cloud.engine, recovery: 3 }',
      ),
      '--testbed',
      'testbeds/local.yaml',
      '--dry-run',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /events: stop cloud.engine#0 at 5 s: a stop with a random recovery is not applied in live mode.*\[E2C_ERR_LIVE_PLAN\]/,
    );
  });
});

describe('live dynamics: the simulator’s keys from the applied events and the trace', () => {
  it('instances up per window from the applied stop, failed requests by the window they failed in, markers on the repetition clock (a second repetition starting at 100 s of the run)', () => {
    // Inputs on the run's clock (spans, applied times, the window), as collect.ts gives them.
    const o = 100;
    const scenario = loadScenarioOrThrow(fixture);
    const win = { start: o, warmupEnd: o + 4, end: o + 14 };
    const timeline = {
      windowS: 1,
      start: Array.from({ length: 10 }, (_, i) => 4 + i), // the repetition's clock, as liveReplicationMetrics gives it
      responseTimeMean: [],
      throughput: [],
      abandoned: [],
    };
    const req = (start: number, end: number, status: SpanRecord['status']): SpanRecord =>
      ({
        request: 1,
        kind: 'request',
        name: 'request',
        service: 'edge.users',
        host: 'h',
        start,
        end,
        status,
      }) as SpanRecord;
    const d = liveDynamics(
      scenario,
      win,
      timeline,
      [
        { ...req(o + 3, o + 3.5, 'failed'), retries: 1 },
        req(o + 5, o + 9.2, 'failed'),
        req(o + 9.5, o + 9.6, 'failed'),
        { ...req(o + 10, o + 11, 'ok'), retries: 2, timedOut: 2 },
        req(o + 13.5, o + 14.5, 'failed'),
      ],
      [
        { t: o + 6, kind: 'link', service: 'edge->cloud' },
        { t: o + 9.5, kind: 'stop', service: 'cloud.engine', instance: 0 },
      ],
    );
    // Down from 9.5: half of window [9, 10), none after.
    expect(d.timeline.instances['cloud.engine']).toEqual([1, 1, 1, 1, 1, 0.5, 0, 0, 0, 0]);
    expect(d.instances['cloud.engine']).toEqual({ mean: 0.55, max: 1, provisioned: 0.55 });
    // The one before the warm-up end and the one after the window are not counted.
    expect(d.timeline.failed).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    expect(d.markers).toEqual([
      { t: 6, kind: 'link', service: 'edge->cloud' },
      { t: 9.5, kind: 'stop', service: 'cloud.engine', instance: 0 },
    ]);
    // Retries of the requests sent in the measured window (the one sent before the warm-up end is not counted).
    expect(d.retries).toBe(2);
    expect(d.markersDropped).toBe(0);
  });
});

describe('engine counters across a timed restart', () => {
  const snap = (t: number, n: number): EngineSnapshot => ({
    t,
    completed: n,
    rejected: 0,
    responseTimeSum: n / 2,
    cpuUserUs: 1000 * n,
    cpuSystemUs: 0,
    rssBytes: 1,
    cores: 2,
    pools: {
      http: {
        size: 4,
        busyIntegral: n / 4,
        queueIntegral: 0,
        granted: n,
        waited: 0,
        rejected: 0,
        busy: 1,
        queue: 0,
      },
    },
  });
  it('carry on from the last snapshot before the restart, so no delta across it is negative', () => {
    // Counting 0, 5, 10 until the stop; restarted at 14 s, counting 0, 3 again.
    const got = continueCounters([snap(1, 0), snap(2, 5), snap(3, 10), snap(15, 0), snap(16, 3)], [14]);
    expect(got.map((x) => x.completed)).toEqual([0, 5, 10, 10, 13]);
    expect(got.map((x) => x.pools.http!.busyIntegral)).toEqual([0, 1.25, 2.5, 2.5, 3.25]);
    expect(got.map((x) => x.cpuUserUs)).toEqual([0, 5000, 10000, 10000, 13000]);
    // Levels are not counters: unchanged.
    expect(got[4]!.pools.http!.busy).toBe(1);
    expect(continueCounters([snap(1, 0), snap(2, 5)], [])).toEqual([snap(1, 0), snap(2, 5)]);
  });
});
