import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadScenario,
  loadScenarioAsync,
  MAX_TRACE_BYTES,
  MAX_YAML_BYTES,
  readTraces,
  SHIPPED_ROOTS,
  type ScenarioIssue,
} from '../../src/scenario/index.js';

// A folder with the scenario (its root) and, beside it, a folder outside every root holding a "secret".
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-file-policy-'));
const inside = path.join(tmp, 'scenario');
const outside = path.join(tmp, 'outside');
const extra = path.join(tmp, 'extra');
mkdirSync(inside);
mkdirSync(outside);
mkdirSync(extra);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SECRET = 'SECRET-9f3a';
writeFileSync(path.join(outside, 'secret.yaml'), `cpu: { cores: 4 }\n${SECRET}: ${SECRET}\n`);
writeFileSync(path.join(extra, 'params.yaml'), 'services: {}\n');
writeFileSync(path.join(inside, 'host.yaml'), 'extends: gpu-v100\ncpu: { cores: 4 }\n');

const scenarioFile = path.join(inside, 'scenario.yaml');
/** A small valid scenario; `top` adds top-level fields, `host` is the engine's host reference. */
function text(o: { top?: string; host?: string; workload?: string } = {}): string {
  return `name: t
${o.top ?? ''}
run: { duration: 100, replications: 1 }
layers:
  - name: cloud
    services:
      - name: engine
        host: ${o.host ?? 'gpu-v100'}
        app: plantnet-engine
  - name: edge
    services:
      - name: users
        workload: ${o.workload ?? '{ kind: closed, users: 2, target: cloud.engine, thinkTime: { dist: exponential, mean: 5 } }'}
`;
}
const load = (t: string, options: Parameters<typeof loadScenario>[1] = {}) =>
  loadScenario(scenarioFile, { text: t, ...options });
const issuesOf = (t: string, options: Parameters<typeof loadScenario>[1] = {}): ScenarioIssue[] => {
  const r = load(t, options);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues;
};

describe('file policy: files a scenario names are read only inside the allowed folders', () => {
  it('the sample scenario itself loads, with a preset by path inside its folder', () => {
    expect(load(text({ host: './host.yaml' })).ok).toBe(true);
  });

  it('a file outside the roots is refused with the same answer whether or not it exists, and nothing of it is quoted', () => {
    const existing = issuesOf(text({ top: `calibration: ${path.join(outside, 'secret.yaml')}` }));
    const missing = issuesOf(text({ top: `calibration: ${path.join(outside, 'no-such.yaml')}` }));
    expect(existing).toHaveLength(1);
    expect(existing[0]).toMatchObject({
      code: 'E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS',
      file: scenarioFile,
      line: 2,
      path: 'calibration',
      hint: 'add a folder with --allow-dir <dir>',
    });
    expect(existing[0]!.message).toContain('outside the allowed folders');
    expect(missing).toEqual(existing);
    expect(JSON.stringify(existing)).not.toContain(SECRET);
  });

  it('a preset path outside the roots (host: /etc/shadow) is refused, located at the field', () => {
    const issues = issuesOf(text({ host: '/etc/shadow' }));
    expect(issues.map((i) => `${i.code} ${i.line} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS 8 layers[0].services[0].host',
    ]);
  });

  it('a symlink inside a root that points outside is refused, whether its target exists or not', () => {
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(inside, 'link-out.yaml'));
    symlinkSync(path.join(outside, 'gone.yaml'), path.join(inside, 'link-gone.yaml'));
    symlinkSync(outside, path.join(inside, 'dir-link'));
    const viaLink = issuesOf(text({ host: './link-out.yaml' }));
    expect(viaLink.map((i) => i.code)).toEqual(['E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS']);
    expect(issuesOf(text({ host: './link-gone.yaml' }))).toEqual(viaLink);
    expect(issuesOf(text({ host: './dir-link/secret.yaml' }))).toEqual(viaLink);
    expect(JSON.stringify(viaLink)).not.toContain(SECRET);
  });

  it('a symlink that stays inside the roots is followed', () => {
    symlinkSync(path.join(inside, 'host.yaml'), path.join(inside, 'link-in.yaml'));
    const r = load(text({ host: './link-in.yaml' }));
    expect(r.ok && r.scenario.services[0]!.host.cpu.cores).toBe(4);
  });

  it('`extends` cannot escape the roots either (the refusal points into the preset, at its extends line)', () => {
    writeFileSync(path.join(inside, 'escape.yaml'), `name: x\nextends: ../outside/secret.yaml\n`);
    const issues = issuesOf(text({ host: './escape.yaml' }));
    expect(issues.map((i) => `${i.code} ${path.basename(i.file)} ${i.line} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS escape.yaml 2 extends',
    ]);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
  });

  it('a device (/dev/zero) is refused at once, without reading it, even in an allowed folder', () => {
    const t0 = performance.now();
    const issues = issuesOf(text({ top: 'calibration: /dev/zero' }), { extraRoots: ['/dev'] });
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['E2C_ERR_SCENARIO_FILE_SPECIAL calibration']);
    expect(issues[0]!.message).toContain('a device');
    // Reading /dev/zero would never end; a refusal comes back in far less than the test's timeout.
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('a FIFO is refused without being opened (opening it would block)', () => {
    execFileSync('mkfifo', [path.join(inside, 'fifo.yaml')]);
    const issues = issuesOf(text({ host: './fifo.yaml' }));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_FILE_SPECIAL layers[0].services[0].host',
    ]);
    expect(issues[0]!.message).toContain('a FIFO');
    const asTrace = issuesOf(text({ workload: '{ kind: trace, file: fifo.yaml, target: cloud.engine }' }));
    expect(asTrace.map((i) => `${i.code} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_FILE_SPECIAL layers[1].services[0].workload.file',
    ]);
  });

  it('a folder is refused where a file is expected', () => {
    mkdirSync(path.join(inside, 'sub'));
    const issues = issuesOf(text({ top: 'calibration: sub' }));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['E2C_ERR_SCENARIO_FILE_SPECIAL calibration']);
    expect(issues[0]!.message).toContain('a folder');
  });

  it('files over the size limit of their kind are refused before reading (YAML 4 MiB, traces 64 MiB)', () => {
    // Sparse files: the size is what is checked, nothing is written or read.
    truncateSync(writeEmpty(path.join(inside, 'huge.yaml')), MAX_YAML_BYTES + 1);
    truncateSync(writeEmpty(path.join(inside, 'huge.csv')), MAX_TRACE_BYTES + 1);
    truncateSync(writeEmpty(path.join(inside, 'at-limit.yaml')), MAX_YAML_BYTES);
    expect(issuesOf(text({ host: './huge.yaml' })).map((i) => i.code)).toEqual([
      'E2C_ERR_SCENARIO_FILE_TOO_LARGE',
    ]);
    expect(
      issuesOf(text({ workload: '{ kind: trace, file: huge.csv, target: cloud.engine }' })).map(
        (i) => i.code,
      ),
    ).toEqual(['E2C_ERR_SCENARIO_FILE_TOO_LARGE']);
    // At the limit the file is read (4 MiB of NUL bytes: not a preset, but no longer a size problem).
    expect(issuesOf(text({ host: './at-limit.yaml' })).map((i) => i.code)).not.toContain(
      'E2C_ERR_SCENARIO_FILE_TOO_LARGE',
    );
  });

  it("allowedRoots replaces the defaults: the scenario's own folder is no longer allowed, and no --allow-dir hint is given", () => {
    const issues = issuesOf(text({ host: './host.yaml' }), { allowedRoots: [extra, ...SHIPPED_ROOTS] });
    expect(issues.map((i) => i.code)).toEqual(['E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS']);
    expect(issues[0]!.hint).toBeUndefined();
    expect(
      load(text({ top: `calibration: ${path.join(extra, 'params.yaml')}` }), {
        allowedRoots: [extra, ...SHIPPED_ROOTS],
      }).ok,
    ).toBe(true);
    // extraRoots do not widen imposed roots.
    expect(
      load(text({ host: './host.yaml' }), { allowedRoots: [extra, ...SHIPPED_ROOTS], extraRoots: [inside] })
        .ok,
    ).toBe(false);
  });

  it("extraRoots (the CLI's --allow-dir) add a folder to the defaults", () => {
    const t = text({ top: `calibration: ${path.join(extra, 'params.yaml')}` });
    expect(issuesOf(t).map((i) => i.code)).toEqual(['E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS']);
    expect(load(t, { extraRoots: [extra] }).ok).toBe(true);
  });

  it('problems inside an allowed preset are located in it but quote none of its text (values, keys, YAML)', () => {
    writeFileSync(path.join(inside, 'bad-host.yaml'), `cpu: { cores: ${SECRET} }\n${SECRET}key: 1\n`);
    writeFileSync(path.join(inside, 'bad-syntax.yaml'), `cpu: { cores: 4\n  ${SECRET}: [\n`);
    writeFileSync(
      path.join(inside, 'bad-cal.yaml'),
      `services: { ${SECRET}: { stages: { x: { demand: ${SECRET} } } } }\nfoo${SECRET}: 1\n`,
    );
    const host = issuesOf(text({ host: './bad-host.yaml' }));
    expect(host.map((i) => `${i.code} ${path.basename(i.file)} ${i.line} ${i.path}`).sort()).toEqual([
      'E2C_ERR_SCENARIO_INVALID_VALUE bad-host.yaml 1 cpu.cores',
      'E2C_ERR_SCENARIO_UNKNOWN_KEY bad-host.yaml 2 ',
    ]);
    const syntax = issuesOf(text({ host: './bad-syntax.yaml' }));
    expect(syntax.every((i) => i.code === 'E2C_ERR_SCENARIO_SYNTAX' && i.line > 0)).toBe(true);
    const cal = issuesOf(text({ top: 'calibration: bad-cal.yaml' }));
    expect(cal.length).toBeGreaterThan(0);
    expect(cal.every((i) => path.basename(i.file) === 'bad-cal.yaml' && i.line > 0)).toBe(true);
    expect(cal.map((i) => i.path)).toContain('services.*.stages.*.demand');
    for (const i of [...host, ...syntax, ...cal]) {
      expect(JSON.stringify(i)).not.toContain(SECRET);
      expect(i.message).toContain('not quoted');
    }
  });

  it('a path that is not a file name at all (a NUL byte) is refused, not thrown', () => {
    expect(issuesOf(text({ host: '"./a\\0b.yaml"' })).map((i) => i.code)).toEqual([
      'E2C_ERR_SCENARIO_FILE_OUTSIDE_ROOTS',
    ]);
  });
});

describe('trace CSVs are read and checked when the scenario is loaded', () => {
  const traceScenario = (file: string, column = 'time') =>
    text({ workload: `{ kind: trace, file: ${file}, column: ${column}, target: cloud.engine }` });

  it('a bad row is a located issue (the CSV, its line and column, the field), found by loading, not by simulating', () => {
    writeFileSync(path.join(inside, 'bad.csv'), `id,time\na,1\nb,${SECRET}\nc,3\nd\n`);
    const issues = issuesOf(traceScenario('bad.csv'));
    expect(issues.map((i) => `${i.code} ${path.basename(i.file)}:${i.line}:${i.column} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_TRACE bad.csv:3:3 time',
      'E2C_ERR_SCENARIO_TRACE bad.csv:5:2 time',
    ]);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
  });

  it("a missing column is an issue at the scenario's column field", () => {
    writeFileSync(path.join(inside, 'cols.csv'), 'id,when\na,1\n');
    const issues = issuesOf(traceScenario('cols.csv'));
    expect(issues.map((i) => `${i.code} ${i.file === scenarioFile} ${i.path}`)).toEqual([
      'E2C_ERR_SCENARIO_TRACE true layers[1].services[0].workload.column',
    ]);
  });

  it('many bad rows give a few located issues and a count of the rest', () => {
    writeFileSync(
      path.join(inside, 'many.csv'),
      `time\n${Array.from({ length: 20 }, () => '-1').join('\n')}\n`,
    );
    const issues = issuesOf(traceScenario('many.csv'));
    expect(issues).toHaveLength(6);
    expect(issues.at(-1)!.message).toContain('15 more rows');
  });

  it('readTraces() gives the times read at load, sorted and scaled', () => {
    writeFileSync(path.join(inside, 'good.csv'), 'time,items\n3,1\n1,1\r\n2,1\n');
    const r = load(text({ workload: '{ kind: trace, file: good.csv, timeScale: 2, target: cloud.engine }' }));
    expect(r.ok).toBe(true);
    if (r.ok) expect([...readTraces(r.scenario).get('edge.users')!]).toEqual([2, 4, 6]);
  });
});

describe("loadScenarioAsync() (the server's: reads without holding the event loop)", () => {
  it('gives exactly what loadScenario() gives, for good scenarios, extends chains, traces and every refusal', async () => {
    writeFileSync(path.join(inside, 'chain.yaml'), 'extends: ./host.yaml\nname: chained\n');
    writeFileSync(path.join(inside, 'async.csv'), 'time\n1\n2\n');
    if (!existsSync(path.join(inside, 'async-fifo.csv')))
      execFileSync('mkfifo', [path.join(inside, 'async-fifo.csv')]);
    const cases: [string, Parameters<typeof loadScenario>[1]][] = [
      [text({ host: './chain.yaml' }), {}],
      [text({ host: 'gpu-p100', workload: '{ kind: trace, file: async.csv, target: cloud.engine }' }), {}],
      [text({ host: './chain.yaml' }), { allowedRoots: SHIPPED_ROOTS }],
      [text({ top: `calibration: ${path.join(outside, 'secret.yaml')}` }), {}],
      [text({ workload: '{ kind: trace, file: async-fifo.csv, target: cloud.engine }' }), {}],
      [text({ top: 'calibration: /dev/zero' }), { extraRoots: ['/dev'] }],
    ];
    for (const [t, o] of cases) {
      const sync = load(t, o);
      const async = await loadScenarioAsync(scenarioFile, { text: t, ...o });
      expect(JSON.stringify(async)).toBe(JSON.stringify(sync));
    }
    const s = await loadScenarioAsync(path.join(import.meta.dirname, '../../scenarios/plantnet.yaml'));
    expect(s.ok).toBe(true);
  });
});

function writeEmpty(file: string): string {
  writeFileSync(file, '');
  return file;
}
