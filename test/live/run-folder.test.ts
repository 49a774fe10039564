import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveErrorCode } from '../../src/live/errors.js';
import { networkCheckWarnings, NETWORK_CHECK_TOLERANCE } from '../../src/live/measure/tolerance.js';
import { checkRunFolder, freshTemp, replaceRunFolder, tempSibling } from '../../src/live/run/run-folder.js';

const root = mkdtempSync(path.join(tmpdir(), 'e2ctwin-runfolder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('live run folder, written whole', () => {
  it('replaces a previous run folder entirely: none of its files stay beside the new run\'s', () => {
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
    expect(() => checkRunFolder(mine)).toThrow(expect.objectContaining({ code: LiveErrorCode.OUT, message: expect.stringMatching(/not a run folder/) }));
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

describe('network check tolerance', () => {
  const check = (rttMs: number, mbps: number) => ({
    label: 'edge → cloud', src: 'edge-1', dst: 'cloud-1', expectedRttMs: 40, rtt: { medianMs: rttMs }, rttErrorPercent: ((rttMs - 40) / 40) * 100,
    expectedMbps: 20, throughput: { mbps }, throughputErrorPercent: ((mbps - 20) / 20) * 100,
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
