import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostScript } from '../../src/live/run/host-script.js';

// The script is run by a real sh with fake `tc` and `nft` first on PATH: each records its argv and what
// it read on stdin, one call per line of a log, and fails when told to.
const dir = mkdtempSync(path.join(tmpdir(), 'e2c-host-script-'));
const log = path.join(dir, 'calls.log');
for (const tool of ['tc', 'nft']) {
  const fake = path.join(dir, tool);
  writeFileSync(
    fake,
    `#!/bin/sh
input=""
if [ "$1" = "-batch" ] || [ "$1" = "-f" ]; then input=$(cat | tr '\\n' '|'); fi
echo "${tool} $*${'$'}{input:+ <$input>}" >> "${log}"
case "$*" in *FAIL*) exit 3;; esac
case "$input" in *FAIL*) exit 4;; esac
exit 0
`,
  );
  chmodSync(fake, 0o755);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(commands: string[][]): { calls: string[]; code: number } {
  writeFileSync(log, '');
  const r = spawnSync('sh', ['-c', hostScript(commands)], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  return { calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean), code: r.status ?? -1 };
}

const cut = (table: string, dev: string, ip: string): string[][] => [
  ['nft', 'add', 'table', 'inet', table],
  ['nft', 'add', 'chain', 'inet', table, 'cut', '{ type filter hook output priority -10 ; }'],
  ['nft', 'flush', 'chain', 'inet', table, 'cut'],
  ['nft', 'add', 'rule', 'inet', table, 'cut', 'oifname', dev, 'ip', 'daddr', ip, 'drop'],
];

/** A tc command changing an htb class's rate on device e2c0. */
const htbRate = (classid: string, rate: string): string[] =>
  `tc class change dev e2c0 parent 1: classid ${classid} htb rate ${rate}`.split(' ');

describe('hostScript: a host share of a link change in one execution', () => {
  it('gives each run of tc or nft commands to one process, in order, with the lines the CLI would parse', () => {
    const tcA = htbRate('1:2', '4000kbit');
    const tcB = htbRate('1:3', '4000kbit');
    const { calls, code } = run([
      tcA,
      tcB,
      ...cut('e2ctwin_x', 'e2c0', '10.211.0.12'),
      ['tc', 'qdisc', 'show'],
    ]);
    expect(code).toBe(0);
    expect(calls).toEqual([
      `tc -batch - <${tcA.slice(1).join(' ')}|${tcB.slice(1).join(' ')}|>`,
      'nft -f - <add table inet e2ctwin_x|add chain inet e2ctwin_x cut { type filter hook output priority -10 ; }|flush chain inet e2ctwin_x cut|add rule inet e2ctwin_x cut oifname e2c0 ip daddr 10.211.0.12 drop|>',
      'tc qdisc show',
    ]);
  });

  it('runs a lone command, an option-led one and one a batch line cannot carry as themselves, quoted', () => {
    const odd = ['tc', 'filter', 'add', 'dev', 'e2c0', 'handle', "it's #1"];
    const { calls } = run([
      ['nft', 'add', 'table', 'inet', 't'],
      ['tc', '-s', 'qdisc', 'show'],
      odd,
      ['tc', 'qdisc', 'show'],
    ]);
    expect(calls).toEqual([
      'nft add table inet t',
      'tc -s qdisc show',
      `tc ${odd.slice(1).join(' ')}`,
      'tc qdisc show',
    ]);
  });

  it('stops at the first failure with its exit status: nothing after it runs', () => {
    const failing = run([
      ['tc', 'qdisc', 'show'],
      ...cut('e2ctwin_x', 'e2c0', '10.211.0.12'),
      ['nft', 'add', 'rule', 'inet', 'e2ctwin_x', 'cut', 'FAIL'],
      ['tc', 'qdisc', 'show', 'dev', 'after'],
    ]);
    expect(failing.code).toBe(4);
    expect(failing.calls).toHaveLength(2);
    expect(failing.calls[1]).toContain('cut FAIL|>');
    const first = run([
      ['tc', 'FAIL'],
      ['tc', 'qdisc', 'show'],
    ]);
    expect(first.code).toBe(4);
    expect(first.calls).toEqual(['tc -batch - <FAIL|qdisc show|>']);
  });

  it('is accepted by the real nft as one transaction (checked, not applied: nft -c)', () => {
    const hasNft = spawnSync('nft', ['--version']).status === 0;
    if (!hasNft || process.getuid?.() !== 0) return;
    const script = hostScript(cut('e2ctest_hs', 'lo', '10.1.2.3')).replace('nft -f -', 'nft -c -f -');
    expect(() => execFileSync('sh', ['-c', script])).not.toThrow();
  });
});
