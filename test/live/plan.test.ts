import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveError } from '../../src/live/errors.js';
import { buildPlan } from '../../src/live/plan/build.js';
import { fillPools, fillReferences } from '../../src/live/plan/templates.js';
import { shellJoin } from '../../src/live/shell.js';
import { SshHost } from '../../src/live/ssh-host.js';
import { parseTestbed, redactTestbed } from '../../src/live/testbed/load.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { repoRoot, runCliHere } from '../support/cli.js';
import { until } from '../support/poll.js';

const fixture = path.join(repoRoot, 'test/live/fixtures/plantnet-small.yaml');
const localTestbed = parseTestbed(
  {
    provider: 'local',
    hosts: [{ name: 'cloud-1' }, { name: 'fog-1' }, { name: 'edge-1' }, { name: 'edge-2' }],
    services: { cloud: ['cloud-1'], fog: ['fog-1'], edge: ['edge-1', 'edge-2'] },
  },
  'inline.yaml',
);
const plan = (overrides: string[] = [], tb = localTestbed) =>
  buildPlan(loadScenarioOrThrow(fixture, { overrides }), tb, {
    runId: 'abc12',
    stateDir: '/tmp/e2ctwin-live/abc12',
    localE2ctwin: ['node', '/opt/e2ctwin/bin/e2ctwin.js'],
  });

/** What `sh` makes of a command line: the argv it passes to printf, one per line. */
function shellArgs(line: string, cwd: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { cwd, encoding: 'utf8' });
  return r.stdout.split('\0').slice(0, -1);
}

const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  '; touch pwned',
  "' ; touch pwned ; '",
  '"$HOME"',
  'a b\tc\nd',
  '',
  '*',
  '--rm -rf /',
  '\\',
  "it's",
  '${IFS}touch${IFS}pwned',
  '&& touch pwned',
  '| touch pwned',
  '> pwned',
];

describe('live plan (pure data, no host touched)', () => {
  it("places instances round-robin over the service's or layer's hosts, with namespace, TAP and address per host", () => {
    const p = plan();
    expect(p.hosts.map((h) => [h.name, h.address, h.interface, h.netns])).toEqual([
      ['cloud-1', '10.211.0.10', 'e2cabc120', 'e2c-abc12-cloud-1'],
      ['fog-1', '10.211.0.11', 'e2cabc121', 'e2c-abc12-fog-1'],
      ['edge-1', '10.211.0.12', 'e2cabc122', 'e2c-abc12-edge-1'],
      ['edge-2', '10.211.0.13', 'e2cabc123', 'e2c-abc12-edge-2'],
    ]);
    for (const h of p.hosts) expect(h.interface.length).toBeLessThanOrEqual(15);
    expect(p.instances.filter((i) => i.service === 'edge.users').map((i) => `${i.name}@${i.host}`)).toEqual([
      'edge.users#0@edge-1',
      'edge.users#1@edge-2',
    ]);
    const q = plan(['edge.users.quantity=5']);
    expect(
      q.processes.filter((x) => x.service === 'edge.users').map((x) => [x.host, x.instances.length]),
    ).toEqual([
      ['edge-1', 3],
      ['edge-2', 2],
    ]);
  });

  it('fills {{ cloud.engine.url }} with the deployed address and starts services before the workload', () => {
    const p = plan();
    expect(p.processes.map((x) => `${x.kind}:${x.id}`)).toEqual([
      'service:cloud.engine@cloud-1',
      'service:fog.gateway@fog-1',
      'workload:edge.users@edge-1',
      'workload:edge.users@edge-2',
    ]);
    const drive = p.processes.find((x) => x.id === 'edge.users@edge-1')!;
    expect(drive.argv).toEqual(['sh', '-c', 'e2ctwin drive --target http://10.211.0.10:8080']);
    expect(drive.env.E2CTWIN_LIVE_SPEC).toBe('spec.json');
    const spec = JSON.parse(
      p.files.find((f) => f.host === 'edge-1' && f.path === 'edge.users/spec.json')!.content ?? '',
    );
    expect(spec).toMatchObject({
      kind: 'driver',
      targetUrls: ['http://10.211.0.10:8080'],
      address: '10.211.0.12',
      instances: [{ name: 'edge.users#0', index: 0 }],
    });
    const wrapper = p.files.find((f) => f.host === 'cloud-1' && f.path === 'bin/e2ctwin')!;
    expect(wrapper.content).toBe('#!/bin/sh\nexec node /opt/e2ctwin/bin/e2ctwin.js "$@"\n');
  });

  it("writes tc netem commands in EnOSlib's NetemHTB shape and the fallback as htb + nftables numgen + userspace delays", () => {
    const p = plan(['network.0.lossPercent=1.5']);
    expect(p.network.netem['edge-1']).toEqual([
      ['tc', 'qdisc', 'add', 'dev', 'e2cabc122', 'root', 'handle', '1:', 'htb'],
      [
        'tc',
        'class',
        'add',
        'dev',
        'e2cabc122',
        'parent',
        '1:',
        'classid',
        '1:1',
        'htb',
        'rate',
        '20000kbit',
      ],
      [
        'tc',
        'qdisc',
        'add',
        'dev',
        'e2cabc122',
        'parent',
        '1:1',
        'handle',
        '10:',
        'netem',
        'delay',
        '20ms',
        'loss',
        '1.5%',
      ],
      [
        'tc',
        'filter',
        'add',
        'dev',
        'e2cabc122',
        'parent',
        '1:',
        'protocol',
        'ip',
        'u32',
        'match',
        'ip',
        'dst',
        '10.211.0.10/32',
        'flowid',
        '1:1',
      ],
    ]);
    expect(p.network.fallback.kernel['edge-1']).toEqual([
      ['tc', 'qdisc', 'add', 'dev', 'e2cabc122', 'root', 'handle', '1:', 'htb'],
      [
        'tc',
        'class',
        'add',
        'dev',
        'e2cabc122',
        'parent',
        '1:',
        'classid',
        '1:1',
        'htb',
        'rate',
        '20000kbit',
      ],
      [
        'tc',
        'filter',
        'add',
        'dev',
        'e2cabc122',
        'parent',
        '1:',
        'protocol',
        'ip',
        'u32',
        'match',
        'ip',
        'dst',
        '10.211.0.10/32',
        'flowid',
        '1:1',
      ],
      ['nft', 'add', 'table', 'inet', 'e2ctwin_abc12'],
      ['nft', 'add', 'chain', 'inet', 'e2ctwin_abc12', 'out', '{ type filter hook output priority 0 ; }'],
      [
        'nft',
        'add',
        'rule',
        'inet',
        'e2ctwin_abc12',
        'out',
        'oifname',
        'e2cabc122',
        'ip',
        'daddr',
        '10.211.0.10',
        'numgen',
        'random',
        'mod',
        '1000000',
        '<',
        '15000',
        'drop',
      ],
    ]);
    expect(p.network.fallback.delays).toContainEqual({ src: 'edge-1', dst: 'cloud-1', delayMs: 20 });
    expect(p.network.fallback.delays).toContainEqual({ src: 'cloud-1', dst: 'edge-1', delayMs: 20 });
    expect(p.network.undo['edge-1']).toEqual([
      ['tc', 'qdisc', 'del', 'dev', 'e2cabc122', 'root'],
      ['nft', 'delete', 'table', 'inet', 'e2ctwin_abc12'],
    ]);
    // Hosts with no constraint between them are not shaped (edge ↔ fog here).
    expect(p.network.rules.some((r) => r.src === 'edge-1' && r.dst === 'fog-1')).toBe(false);
  });

  it('measures each constraint once, in its own direction, expecting RTT = delay there and back', () => {
    expect(plan().network.verify).toEqual([
      {
        constraint: 0,
        label: 'edge → cloud',
        src: 'edge-1',
        dst: 'cloud-1',
        dstAddress: '10.211.0.10',
        expectedRttMs: 40,
        expectedMbps: 20,
      },
      {
        constraint: 1,
        label: 'fog → cloud',
        src: 'fog-1',
        dst: 'cloud-1',
        dstAddress: '10.211.0.10',
        expectedRttMs: 10,
        expectedMbps: 50,
      },
    ]);
    const asym = plan(['network.0.symmetric=false']);
    expect(asym.network.verify[0]!.expectedRttMs).toBe(20);
    expect(asym.network.rules.some((r) => r.src === 'cloud-1' && r.dst === 'edge-1')).toBe(false);
  });

  it('scales the warm-up with --duration and rejects placements it cannot honour', () => {
    const p = buildPlan(loadScenarioOrThrow(fixture), localTestbed, {
      runId: 'abc12',
      stateDir: '/x',
      durationS: 10,
    });
    expect(p.warmupS).toBeCloseTo(2);
    const noEdge = parseTestbed({
      provider: 'local',
      hosts: [{ name: 'a' }],
      services: { cloud: ['a'], fog: ['a'] },
    });
    expect(() => buildPlan(loadScenarioOrThrow(fixture), noEdge, { runId: 'abc12', stateDir: '/x' })).toThrow(
      /edge.users: no host in the testbed/,
    );
    const clash = parseTestbed({
      provider: 'local',
      hosts: [{ name: 'a' }],
      services: { cloud: ['a'], fog: ['a'], edge: ['a'] },
    });
    expect(() => plan(['cloud.engine.quantity=2'], clash)).toThrow(
      /2 instances on host a would all listen on port 8080/,
    );
    expect(() => plan(['edge.users.live.command=e2ctwin drive --target {{ cloud.nothing.url }}'])).toThrow(
      LiveError,
    );
  });

  it('validates testbed files and never writes passwords', () => {
    expect(() => parseTestbed({ provider: 'local', hosts: [{ name: 'A B' }], services: {} })).toThrow(
      /lowercase letters/,
    );
    expect(() =>
      parseTestbed({
        provider: 'ssh',
        hosts: [{ name: 'n1', address: '10.0.0.1', ssh: { jump: 'gw' } }],
        services: {},
      }),
    ).toThrow(/no host "gw"/);
    expect(() =>
      parseTestbed({ provider: 'ssh', hosts: [{ name: 'n1', address: '10.0.0.1; rm -rf /' }], services: {} }),
    ).toThrow(/IP address or a DNS name/);
    const tb = parseTestbed({
      provider: 'ssh',
      hosts: [
        { name: 'n1', address: '10.0.0.1', ssh: { user: 'me', password: 'hunter2', key: '~/.ssh/id' } },
      ],
      services: { cloud: ['n1'] },
    });
    expect(JSON.stringify(redactTestbed(tb.testbed))).not.toContain('hunter2');
  });
});

describe('no shell injection from scenario or testbed values', () => {
  it('shellJoin passes hostile arguments through sh unchanged, running nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'e2c-quote-'));
    try {
      expect(shellArgs(shellJoin(HOSTILE), dir)).toEqual(HOSTILE);
      expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('references filled into `sh -c` strings are quoted values, never syntax', () => {
    const endpoints = new Map([
      ['cloud.engine', { host: 'h', address: "10.0.0.1$(touch pwned);'", port: 80 }],
    ]);
    const line = fillReferences(
      'echo {{ cloud.engine.address }} {{cloud.engine.url}}',
      endpoints,
      'test',
      true,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'e2c-ref-'));
    try {
      const r = spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout).toBe("10.0.0.1$(touch pwned);' http://10.0.0.1$(touch pwned);':80\n");
      expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the remote launcher keeps hostile argv, env values and paths literal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'e2c-launch-'));
    try {
      const cwd = path.join(dir, "we'ird $(dir)");
      spawnSync('mkdir', ['-p', cwd]);
      const line = SshHost.launcher({
        argv: ['sh', '-c', 'printf "%s\\n" "$HOSTILE" "$@" > args.txt', 'sh', ...HOSTILE.slice(0, 6)],
        env: { HOSTILE: HOSTILE[3]! },
        cwd,
        stdout: path.join(cwd, 'out'),
        stderr: path.join(cwd, 'err'),
        path: [path.join(dir, 'b;in')],
        what: 'test',
      });
      const r = spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8' });
      const pid = Number(r.stdout.trim());
      expect(pid).toBeGreaterThan(0);
      // The launched shell writes args.txt in the background: poll until its last line is there.
      const expected = `${[HOSTILE[3], ...HOSTILE.slice(0, 6)].join('\n')}\n`;
      const args = path.join(cwd, 'args.txt');
      await until('args.txt written in full', () =>
        existsSync(args)
          ? readFileSync(args, 'utf8').split('\n').length >= expected.split('\n').length
          : false,
      );
      expect(readFileSync(args, 'utf8')).toBe(expected);
      expect(existsSync(path.join(dir, 'pwned')) || existsSync(path.join(cwd, 'pwned'))).toBe(false);
      expect(() =>
        SshHost.launcher({ argv: ['true'], env: { 'A;B': 'x' }, cwd, stdout: 'o', stderr: 'e', what: 't' }),
      ).toThrow(/not valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('e2ctwin live --dry-run', () => {
  it('prints the plan without touching anything, and bad testbeds are bad input (exit 2)', async () => {
    const r = await runCliHere([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      'testbeds/local.yaml',
      '--dry-run',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^live plan [a-z0-9]{5}: scenario plantnet-small on the local provider/);
    expect(r.stdout).toContain('where tc netem works (EnOSlib NetemHTB shape)');
    expect(r.stdout).toContain('fallback delay (userspace path)');
    const j = await runCliHere([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      'testbeds/local.yaml',
      '--dry-run',
      '--json',
    ]);
    expect(JSON.parse(j.stdout).processes).toHaveLength(4);
    const bad = await runCliHere([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      'test/live/fixtures/plantnet-small.yaml',
      '--dry-run',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E2C_ERR_LIVE_TESTBED');
  });
});

describe('third-party services (nginx): own pool sizes and uploaded files', () => {
  const nginx = path.join(repoRoot, 'scenarios/nginx-static.yaml');
  const nginxPlan = (overrides: string[] = []) =>
    buildPlan(loadScenarioOrThrow(nginx, { overrides }), localTestbed, {
      runId: 'abc12',
      stateDir: '/tmp/e2ctwin-live/abc12',
    });

  it('fills {{ pools.workers }} with the pool size after --set, so nginx runs what the twin simulates', () => {
    const argvOf = (p: ReturnType<typeof nginxPlan>) =>
      p.processes.find((x) => x.service === 'cloud.nginx')!.argv;
    expect(argvOf(nginxPlan()).at(-1)).toBe('daemon off; worker_processes 2;');
    expect(argvOf(nginxPlan(['cloud.nginx.pools.workers=5'])).at(-1)).toBe('daemon off; worker_processes 5;');
  });

  it('a pool the app does not have is a plan error naming the pools it has', () => {
    const text = 'gunicorn --workers {{ pools.threads }}';
    expect(() => fillPools(text, { workers: { size: 2 } }, 'cloud.x on h')).toThrow(
      /cloud\.x on h: \{\{ pools\.threads \}\}: no pool "threads" .*pools: workers/,
    );
  });

  it("uploads live.files from the scenario's folder into the service's folder, read when applied", () => {
    const f = nginxPlan().files.find((x) => x.path === 'cloud.nginx/nginx.conf')!;
    expect(f.host).toBe('cloud-1');
    expect(f.src).toBe(path.join(repoRoot, 'apps/nginx/nginx.conf'));
    expect(f.content).toBeUndefined();
  });
});
