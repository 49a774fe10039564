import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/server/index.js';

// No answer of the server may carry a line of a file outside its roots, whatever a request names: a
// file by its path, a symbolic link to it, a device that never ends, a FIFO that a writer fills with it.
const SECRET = '/etc/passwd';
const SECRET_LINES = readFileSync(SECRET, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '');
// A YAML file outside the roots too: a loader that reads it would find keys to quote as unknown.
const SECRET_KEYS = ['leaked_key_7c1e', 'leaked_key_93ab', 'leaked_value_5d20'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-leaks-'));
const runsDir = path.join(tmp, 'runs');
const LINK = path.join(tmp, 'passwd-link.yaml');
const SECRET_YAML = path.join(tmp, 'outside.yaml');
const FIFO = path.join(tmp, 'fifo.yaml');
let app: FastifyInstance;
let writer: ChildProcess | undefined;

beforeAll(async () => {
  symlinkSync(SECRET, LINK);
  writeFileSync(SECRET_YAML, `${SECRET_KEYS[0]}: 1\n${SECRET_KEYS[1]}: ${SECRET_KEYS[2]}\n`);
  const made = spawnSync('mkfifo', [FIFO]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  // Whoever opens the FIFO reads the secret (again and again); a server that refuses to open it leaves
  // this writer waiting: it is stopped at the end, and stops by itself within seconds if this process dies.
  const loop = 'while kill -0 "$3" 2>/dev/null; do timeout 5 sh -c \'cat "$0" > "$1"\' "$1" "$2"; done';
  writer = spawn('sh', ['-c', loop, 'sh', SECRET, FIFO, String(process.pid)], {
    stdio: 'ignore',
    detached: true,
  });
  app = await buildApp({ runsDir, maxRunningSimulations: 4, budget: { wallSeconds: 60, memoryMiB: 512 } });
});
afterAll(async () => {
  await app?.close();
  if (writer?.pid) {
    try {
      process.kill(-writer.pid, 'SIGKILL'); // the writer's own process group: sh and its cat
    } catch {
      // already gone
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

function expectNoSecret(body: string, what: string): void {
  for (const line of [...SECRET_LINES, ...SECRET_KEYS])
    expect(body.includes(line), `${what} quotes "${line}"`).toBe(false);
}

// The device last: without a file policy its read never ends (the process runs out of memory).
const TARGETS: Record<string, string> = {
  path: SECRET,
  yaml: SECRET_YAML,
  symlink: LINK,
  fifo: FIFO,
  device: '/dev/zero',
};
const FIELDS = ['calibration', 'host', 'app', 'trace'] as const;
type Field = (typeof FIELDS)[number];

/** Overrides of plantnet.yaml that make `field` name `file`. */
function overridesNaming(field: Field, file: string): string[] {
  const small = ['run.duration=200', 'run.warmup=0', 'run.replications=1', 'run.spanSample=0'];
  const q = JSON.stringify(file);
  switch (field) {
    case 'calibration':
      return [...small, `calibration=${q}`];
    case 'host':
      return [...small, `cloud.engine.host=${q}`];
    case 'app':
      return [...small, `cloud.engine.app=${q}`];
    case 'trace':
      return [...small, `edge.users.workload={kind: trace, target: cloud.engine, file: ${q}}`];
  }
}

/** A whole scenario (posted as the page's text) whose `field` names `file`. */
function textNaming(field: Field, file: string): string {
  const q = JSON.stringify(file);
  return [
    'name: leak',
    'run: { duration: 200, replications: 1, spanSample: 0 }',
    ...(field === 'calibration' ? [`calibration: ${q}`] : []),
    'layers:',
    '  - name: system',
    '    services:',
    '      - name: station',
    ...(field === 'host' ? [`        host: ${q}`] : []),
    field === 'app'
      ? `        app: ${q}`
      : '        app: { pools: { server: 1 }, stages: [ { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: 1 } } ] }',
    '  - name: outside',
    '    services:',
    '      - name: source',
    field === 'trace'
      ? `        workload: { kind: trace, target: system.station, file: ${q} }`
      : '        workload: { kind: open, target: system.station, ratePerS: 0.5 }',
    '',
  ].join('\n');
}

/** Everything the server answers about a request: the answer, and for a started simulation its state and events once it ends. */
async function answersTo(
  url: string,
  payload: Record<string, unknown>,
): Promise<{ first: LightMyRequestResponse; bodies: string[] }> {
  const first = await app.inject({ method: 'POST', url, payload });
  const bodies = [first.body];
  if (first.statusCode === 202) {
    const id = first.json().simulation.id as string;
    const end = await vi.waitFor(
      async () => {
        const r = await app.inject(`/api/simulations/${id}`);
        if (r.json().status === 'running') throw new Error('still running');
        return r;
      },
      { timeout: 90_000, interval: 50 },
    );
    bodies.push(
      end.body,
      (await app.inject(`/api/simulations/${id}/events`)).body,
      (await app.inject('/api/runs')).body,
    );
  }
  return { first, bodies };
}

describe('the runs and studies API', () => {
  it('does not follow symbolic links out of the runs folder, nor read FIFOs', async () => {
    mkdirSync(runsDir, { recursive: true });
    symlinkSync('/etc', path.join(runsDir, 'etc-link'));
    mkdirSync(path.join(runsDir, 'passwd-study'));
    symlinkSync(SECRET, path.join(runsDir, 'passwd-study', 'results.json'));
    // A valid study outside the runs folder, reached through a link: refused too (not merely unparsable).
    writeFileSync(
      path.join(tmp, 'outside-study.json'),
      JSON.stringify({ kind: 'sweep', scenario: 'outside', design: 'grid', params: [], results: [] }),
    );
    mkdirSync(path.join(runsDir, 'outside-study'));
    symlinkSync(path.join(tmp, 'outside-study.json'), path.join(runsDir, 'outside-study', 'results.json'));
    mkdirSync(path.join(runsDir, 'passwd-run'));
    symlinkSync(SECRET, path.join(runsDir, 'passwd-run', 'run.json'));
    mkdirSync(path.join(runsDir, 'fifo-study'));
    spawnSync('mkfifo', [path.join(runsDir, 'fifo-study', 'results.json')]);

    const list = await app.inject('/api/studies');
    expect(list.statusCode).toBe(200);
    expect(list.json().studies.map((s: { id: string }) => s.id)).toEqual([]);
    expectNoSecret(list.body, '/api/studies');
    expect((await app.inject('/api/studies/etc-link')).json()).toMatchObject({
      statusCode: 400,
      code: 'E2C_ERR_SERVER_BAD_RUN_ID',
    });
    for (const id of ['passwd-study', 'outside-study', 'fifo-study']) {
      const r = await app.inject(`/api/studies/${id}`);
      expect(r.json(), id).toMatchObject({
        statusCode: 403,
        code: 'E2C_ERR_SERVER_RUN_FILE_REFUSED',
        id,
        file: 'results.json',
      });
      expectNoSecret(r.body, id);
    }
    const runs = await app.inject('/api/runs');
    expect(runs.json().runs).toEqual([]);
    expectNoSecret(runs.body, '/api/runs');
    for (const url of [
      '/api/runs/passwd-run',
      '/api/runs/passwd-run/files/run.json',
      '/api/runs/etc-link/files/passwd',
      '/api/runs/etc-link',
    ]) {
      const r = await app.inject(url);
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expectNoSecret(r.body, url);
    }
    expect((await app.inject('/api/runs/passwd-run')).json()).toMatchObject({
      code: 'E2C_ERR_SERVER_RUN_FILE_REFUSED',
    });
  });

  it('never quotes a run file that is not JSON', async () => {
    mkdirSync(path.join(runsDir, 'copied'));
    writeFileSync(path.join(runsDir, 'copied', 'run.json'), readFileSync(SECRET));
    writeFileSync(path.join(runsDir, 'copied', 'results.json'), readFileSync(SECRET));
    for (const url of ['/api/runs/copied', '/api/studies/copied']) {
      const r = await app.inject(url);
      expect(r.json(), url).toMatchObject({ code: 'E2C_ERR_SERVER_RUN_FILE_INVALID' });
      expectNoSecret(r.body, url);
    }
  });
});

describe.each(Object.entries(TARGETS))('a scenario naming %s (%s)', (_kind, file) => {
  it.each(FIELDS)('as %s: refused with located issues, no line of the file in any answer', async (field) => {
    const requests = [
      { how: 'overrides', payload: { scenario: 'plantnet.yaml', overrides: overridesNaming(field, file) } },
      { how: 'scenario text', payload: { scenario: 'validation/mm1.yaml', text: textNaming(field, file) } },
    ];
    const firsts: { what: string; first: LightMyRequestResponse }[] = [];
    for (const { how, payload } of requests) {
      for (const url of ['/api/scenarios/check', '/api/simulations']) {
        const { first, bodies } = await answersTo(url, payload);
        bodies.forEach((b, i) => expectNoSecret(b, `${url} (${how}), answer ${i}`));
        firsts.push({ what: `${url} (${how})`, first });
      }
    }
    // No leak in any answer (above); and each request is refused before anything runs.
    for (const { what, first } of firsts) {
      expect(first.statusCode, `${what}: ${first.body.slice(0, 300)}`).toBe(422);
      expect(first.json().code, what).toBe('E2C_ERR_SERVER_SCENARIO_INVALID');
    }
    expect((await app.inject('/api/health')).json()).toMatchObject({ ok: true, running: 0 });
  });
});
