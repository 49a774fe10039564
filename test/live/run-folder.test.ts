import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveErrorCode } from '../../src/live/errors.js';
import { networkCheckWarnings, NETWORK_CHECK_TOLERANCE } from '../../src/live/measure/tolerance.js';
import { checkRunFolder, freshTemp, replaceRunFolder, tempSibling } from '../../src/live/run/run-folder.js';
import { runCli } from '../support/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'e2ctwin-runfolder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('live run folder, written whole', () => {
  it("replaces a previous run folder entirely: none of its files stay beside the new run's", () => {
    const out = path.join(root, 'run');
    mkdirSync(path.join(out, 'logs', 'old@host'), { recursive: true });
    writeFileSync(path.join(out, 'run.json'), '{"runId":"old00"}');
    writeFileSync(path.join(out, 'metrics.json'), '{"old":true}');
    writeFileSync(path.join(out, 'logs', 'old@host', 'out.log'), 'old');
    const tmp = tempSibling(out, 'new00');
    expect(path.dirname(tmp)).toBe(root);
    freshTemp(tmp);
    writeFileSync(path.join(tmp, 'run.json'), '{"runId":"new00"}');
    expect(replaceRunFolder(tmp, out)).toBe(out);
    expect(readdirSync(out, { recursive: true })).toEqual(['run.json']);
    expect(readFileSync(path.join(out, 'run.json'), 'utf8')).toContain('new00');
    expect(readdirSync(root)).toEqual(['run']);
  });

  it('never replaces a folder that is not a run folder (files without run.json), nor a file', () => {
    const mine = path.join(root, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'thesis.tex'), 'x');
    expect(() => checkRunFolder(mine)).toThrow(
      expect.objectContaining({
        code: LiveErrorCode.OUT,
        message: expect.stringMatching(/not a run folder/),
      }),
    );
    expect(() => checkRunFolder(path.join(mine, 'thesis.tex'))).toThrow(/not a folder/);
    expect(() => checkRunFolder(path.join(root, 'absent'))).not.toThrow();
    mkdirSync(path.join(root, 'empty'));
    expect(() => checkRunFolder(path.join(root, 'empty'))).not.toThrow();
    const tmp = tempSibling(mine, 'abcde');
    freshTemp(tmp);
    expect(() => replaceRunFolder(tmp, mine)).toThrow(/not a run folder/);
    expect(existsSync(path.join(mine, 'thesis.tex'))).toBe(true);
  });
});

describe('e2ctwin live --out after a failed run', () => {
  it('a run that fails before measuring anything leaves its own files only: no previous metrics.json, trace or logs', () => {
    const out = path.join(root, 'reused');
    mkdirSync(path.join(out, 'logs', 'cloud.engine@cloud-1'), { recursive: true });
    for (const f of ['run.json', 'metrics.json', 'trace.jsonl', 'host-metrics.json'])
      writeFileSync(path.join(out, f), '{"runId":"prev0"}\n');
    writeFileSync(path.join(out, 'logs', 'cloud.engine@cloud-1', 'out.log'), 'previous run');
    // An ssh testbed whose only host cannot be reached (its sshd socket does not exist): the run fails at once.
    const testbed = path.join(root, 'unreachable.yaml');
    writeFileSync(
      testbed,
      [
        'provider: ssh',
        'emulation: none',
        `hosts: [{ name: h1, address: 127.0.0.1, ssh: { unixSocket: ${JSON.stringify(path.join(root, 'absent.sock'))} } }]`,
        'services: { cloud: [h1], fog: [h1], edge: [h1] }',
        '',
      ].join('\n'),
    );
    const stateDir = path.join(root, 'state');
    const r = runCli([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      testbed,
      '--out',
      out,
      '--state-dir',
      stateDir,
    ]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/RUN FAILED: cannot connect to h1 over SSH/);
    expect(r.stdout).toMatch(/measured 0\.0 s of the 16\.0 s planned/);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      status: 'failed',
      interrupted: false,
      measured: { plannedS: 16, actualS: 0, stoppedAtS: null },
    });
    expect(run.runId).not.toBe('prev0');
    const files = readdirSync(out, { recursive: true }).map(String);
    expect(files).not.toContain('metrics.json');
    expect(files).toEqual(expect.arrayContaining(['run.json', 'plan.json', 'network.json']));
    for (const f of files.filter((x) => statSync(path.join(out, x)).isFile()))
      expect(readFileSync(path.join(out, f), 'utf8')).not.toMatch(/prev0|previous run/);
    // Nothing left beside it: no temporary sibling, no journal.
    expect(readdirSync(root).filter((n) => n.startsWith('.reused.'))).toEqual([]);
    expect(readdirSync(path.join(stateDir, 'journals'))).toEqual([]);
  });

  it('refuses an --out that is not a run folder before anything runs (exit 2)', () => {
    const mine = path.join(root, 'not-a-run');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'notes.txt'), 'mine');
    const r = runCli([
      'live',
      'test/live/fixtures/plantnet-small.yaml',
      '--testbed',
      'testbeds/local.yaml',
      '--out',
      mine,
      '--state-dir',
      path.join(root, 'state2'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a run folder \(no run\.json\).*\[E2C_ERR_LIVE_OUT\]/);
    expect(readdirSync(mine)).toEqual(['notes.txt']);
    expect(existsSync(path.join(root, 'state2'))).toBe(false);
  });
});

describe('network check tolerance', () => {
  const check = (rttMs: number, mbps: number) => ({
    label: 'edge → cloud',
    src: 'edge-1',
    dst: 'cloud-1',
    expectedRttMs: 40,
    rtt: { medianMs: rttMs },
    rttErrorPercent: ((rttMs - 40) / 40) * 100,
    expectedMbps: 20,
    throughput: { mbps },
    throughputErrorPercent: ((mbps - 20) / 20) * 100,
  });

  it(`warns about an RTT or a throughput more than ${NETWORK_CHECK_TOLERANCE * 100} % off the configured value, and only then`, () => {
    expect(NETWORK_CHECK_TOLERANCE).toBe(0.1);
    expect(networkCheckWarnings([check(43.9, 18.1)])).toEqual([]);
    const w = networkCheckWarnings([check(46.4, 20), check(40, 16.8)]);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/RTT 46\.40 ms is \+16\.0 % off the configured 40 ms \(tolerance ±10 %\)/);
    expect(w[1]).toMatch(/throughput 16\.80 Mbit\/s is -16\.0 % off the configured 20 Mbit\/s/);
  });
});
