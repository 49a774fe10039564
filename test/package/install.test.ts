import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';

// The package as users get it: `npm pack`, then `npm install -g` of the tarball into a temporary prefix,
// then the installed command run from an empty folder. Slow (npm runs the native addons' install scripts),
// so `npm run test:unit` leaves it out; `npm test` runs it.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2c-package-'));
const prefix = path.join(tmp, 'prefix');
const work = path.join(tmp, 'work');
const e2ctwin = path.join(prefix, 'bin', 'e2ctwin');
let tarball = '';
const INSTALL_MS = 20 * 60_000;

let mirror: Server | undefined;
afterAll(() => {
  mirror?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * A users' install downloads better-sqlite3's prebuilt binary from its GitHub releases; this machine reaches
 * only the npm registry, so prebuild-install falls back to compiling SQLite, two minutes of both cores that
 * the rest of `npm test` waits for. A binary mirror on loopback (the `npm_config_<package>_binary_host`
 * setting prebuild-install documents for mirrors) serves it instead, packed from the checkout's own build of
 * the same version (npm ci compiled it). Any other version or ABI gets a 404, and the install compiles as
 * before. Returns the environment setting for npm.
 */
async function binaryMirror(): Promise<Record<string, string>> {
  const dir = path.join(repoRoot, 'node_modules', 'better-sqlite3');
  const binary = path.join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return {};
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const packed = path.join(tmp, name);
  execFileSync('tar', ['czf', packed, '-C', dir, 'build/Release/better_sqlite3.node']);
  const server = createServer((req, res) => {
    if (req.url === `/v${version}/${name}`) res.end(readFileSync(packed));
    else res.writeHead(404).end();
  });
  mirror = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  const packed = execFileSync('npm', ['pack', '--pack-destination', tmp, '--json', '--loglevel=error'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tarball = path.join(
    tmp,
    (JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[])[0]!.filename,
  );
  // The npm cache answers what it has (--prefer-offline); the registry is asked for the rest. Not a
  // synchronous call: the mirror answers from this process.
  const env = { ...process.env, ...(await binaryMirror()) };
  await promisify(execFile)(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
    ],
    { cwd: tmp, encoding: 'utf8', env, timeout: INSTALL_MS },
  );
  mkdirSync(work);
}, INSTALL_MS + 120_000);

/** The installed command, run from the empty work folder. */
function installed(args: string[]) {
  const r = spawnSync(e2ctwin, args, {
    cwd: work,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the npm package', () => {
  it('holds no test, benchmark, trace or source-map file and is under 1 MB', () => {
    const list = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(list).toContain('package/dist/cli/main.js');
    expect(list).toContain('package/dist/explore/worker.js');
    expect(list).toContain('package/models/hardware/gpu-v100.yaml');
    expect(list).toContain('package/web/index.html');
    expect(list).toContain('package/calibration/local-testbed/params.yaml');
    const unwanted = list.filter(
      (f) =>
        /^package\/(test|bench|src|scripts|node_modules)\//.test(f) ||
        /\/runs\//.test(f) ||
        /\.(jsonl|jsonl\.gz|map|sqlite|log)$/.test(f) ||
        /trace/.test(path.basename(f)),
    );
    expect(unwanted).toEqual([]);
    expect(statSync(tarball).size).toBeLessThan(1024 * 1024);
  });

  it('installed globally, runs from an empty folder: --version, init, simulate (same metrics), validate', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const v = installed(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);

    const init = installed(['init', 'demo']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/demo\/plantnet\.yaml/);

    const sim = installed(['simulate', 'demo/plantnet.yaml', '--json']);
    expect(sim.status, sim.stderr).toBe(0);
    const checkout = runCli(['simulate', 'scenarios/plantnet.yaml', '--json']);
    expect(checkout.status, checkout.stderr).toBe(0);
    expect(JSON.parse(sim.stdout).responseTime.mean).toBeGreaterThan(0);
    expect(sim.stdout).toBe(checkout.stdout);

    const ok = installed(['validate', 'demo/plantnet.yaml']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/demo\/plantnet\.yaml: ok/);
  });

  it('finds its worker files and shipped folders from any folder: a sweep and the shipped scenarios', () => {
    const sweep = installed([
      'sweep',
      'demo/plantnet.yaml',
      '-p',
      'cloud.engine.pools.extract=6..7',
      '-r',
      '1',
      '-w',
      '2',
      '--set',
      'run.duration=200',
      '--set',
      'run.warmup=20',
      '--out',
      'runs/sweep',
      '--json',
      '--no-progress',
    ]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const shipped = path.join(prefix, 'lib', 'node_modules', 'e2ctwin', 'scenarios', 'local-testbed.yaml');
    const v = installed(['validate', shipped]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('serves the browser view from its own web/ folder and d3 from its dependencies', async () => {
    const child = spawn(e2ctwin, ['serve', '--port', '0', '--runs', 'runs'], { cwd: work });
    try {
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const url = await new Promise<string>((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
        child.stdout.on('data', () => {
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
      });
      const index = await fetch(url);
      expect(index.status).toBe(200);
      expect(await index.text()).toMatch(/<html/i);
      const d3 = await fetch(new URL('/vendor/d3.js', url));
      expect(d3.status).toBe(200);
      expect(await d3.text()).toMatch(/export default globalThis\.d3/);
      const scenarios = await fetch(new URL('/api/scenarios', url));
      expect(scenarios.status).toBe(200);
      expect(await scenarios.text()).toMatch(/plantnet/);
    } finally {
      child.kill();
    }
  });
});
