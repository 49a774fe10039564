// Bundles the command line into ES modules (dist/cli/main.js and its chunks). Bundled files load in about
// half the time of the hundreds of small modules of zod, yaml and commander: start-up is part of every run
// a user pays for. Code splitting keeps each verb in its own chunk (src/cli/program.ts imports a verb only
// when it runs): `e2ctwin --version` loads commander only, `e2ctwin validate` the scenario layer, not the
// server, live mode or the optimizers. Chunks go to dist/chunks/, two levels under the package root like
// the entries, so the `new URL('../../…', import.meta.url)` paths of the sources stay right.
// Type checking is separate (`npm run typecheck`).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { build } from 'esbuild';
import { codeCacheRuns } from './code-cache-runs.mjs';

// zod's `z.locales` namespace holds some forty translations of its messages (a third of the scenario
// layer's chunk, parsed by every `validate` and `simulate`). e2ctwin never selects a locale; zod registers
// English itself (zod/v4/classic/schemas.js imports ../locales/en.js), so `z.locales` is bundled with
// English alone.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

// commander requires node:child_process at the top of its Command class for executable sub-commands,
// which e2ctwin never declares; loading it (with net and dgram behind it) was a few milliseconds of every
// command's start-up. The bundle takes it when a sub-command would spawn, never before. The build fails if
// commander's line changes, rather than quietly loading it again.
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager))
        throw new Error(`${args.path}: expected \`${eager}\` (see scripts/build.mjs)`);
      const lazy =
        "const childProcess = { spawn: (...a) => process.getBuiltinModule('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

// What both builds share: Node 20, minified, names kept (class and function names show in errors).
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  logLevel: 'warning',
  plugins: [zodEnglishOnly, lazyChildProcessInCommander],
  // Packages with native addons or worker entry files stay outside the bundle.
  external: ['better-sqlite3', 'piscina', 'bullmq', 'ssh2', 'dockerode', 'playwright-core', 'fastify'],
};

const main = await build({
  // server/sim-worker: the worker thread of simulations started from the browser view (e2ctwin serve).
  // explore/worker: the piscina worker of sweep/sensitivity/optimize/capacity (one simulation per task).
  entryPoints: {
    'cli/main': 'src/cli/main.ts',
    // cli/run: the same command line as a function, which the test suite calls in-process (test/support/cli.ts).
    'cli/run': 'src/cli/run.ts',
    'server/sim-worker': 'src/server/sim-worker.ts',
    'explore/worker': 'src/explore/worker.ts',
    // live/switch: the userspace wire of the local testbed (delay without sch_netem).
    'live/switch': 'src/live/emulation/switch.ts',
    // live/compute-worker: a compute thread of the reference engine (e2ctwin engine).
    'live/compute-worker': 'src/live/app/compute-worker.ts',
  },
  ...common,
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  banner: {
    js: "import { createRequire as __e2cRequire } from 'node:module'; const require = __e2cRequire(import.meta.url);",
  },
  metafile: true,
});

// Chunks of earlier builds (their names carry a content hash) are removed once this build's are written, or
// they pile up and `npm pack` ships them (790 stale files, a 2.3 MB package, in one working tree). Not by
// emptying dist/ first: `npm pack` builds (prepack) while other tests run the CLI from dist/.
const written = new Set(Object.keys(main.metafile.outputs).map((f) => path.resolve(f)));
for (const name of readdirSync('dist/chunks')) {
  const file = path.resolve('dist/chunks', name);
  if (!written.has(file)) rmSync(file, { force: true });
}

// The verbs most runs are (src/cli/verbs/): each its own CommonJS bundle, which bin/e2ctwin.js compiles with
// vm.Script and V8's code cache — compiling the bundles' code (zod, yaml, the scenario layer, the model) was
// about a fifth of `validate`'s time, and Node 20 caches no ES module's code. The name carries the bundle's
// content hash: V8 checks a cache against the source's length only, so a cache must never meet another
// bundle. dist/verbs/ is two levels under the package root like the other entries, so the sources'
// `new URL('../../…', import.meta.url)` paths stay right (bin/e2ctwin.js passes the bundle's URL as
// import.meta.url).
const VERBS_DIR = 'dist/verbs';
rmSync(VERBS_DIR, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: {
    validate: 'src/cli/verbs/validate.ts',
    simulate: 'src/cli/verbs/simulate.ts',
    sweep: 'src/cli/verbs/sweep.ts',
    sensitivity: 'src/cli/verbs/sensitivity.ts',
    optimize: 'src/cli/verbs/optimize.ts',
    capacity: 'src/cli/verbs/capacity.ts',
    // A study's worker thread (bin/study-worker.js loads it with its code cache; the study-worker-cache path).
    'study-worker': 'src/explore/worker.ts',
  },
  outdir: VERBS_DIR,
  entryNames: '[name]-[hash]',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__e2cImportMetaUrl' },
});

// The presets shipped in models/, parsed now (bin/start-up-paths.js, shipped-yaml): each text with the JSON
// of its plain data, when the validate bundle's own parser says that JSON gives back exactly that data.
// The bundle reads import.meta.url from __e2cImportMetaUrl (bin/e2ctwin.js passes it; here a global).
const validateBundle = readdirSync(VERBS_DIR).find((n) => n.startsWith('validate-') && n.endsWith('.cjs'));
globalThis.__e2cImportMetaUrl = pathToFileURL(path.resolve(VERBS_DIR, validateBundle)).href;
const { preparsedEntry } = createRequire(import.meta.url)(path.resolve(VERBS_DIR, validateBundle));
delete globalThis.__e2cImportMetaUrl;
const shipped = [];
for (const kind of readdirSync('models').sort())
  for (const name of readdirSync(path.join('models', kind)).sort())
    if (/\.ya?ml$/.test(name)) {
      const entry = preparsedEntry(readFileSync(path.join('models', kind, name), 'utf8'), isDeepStrictEqual);
      if (entry) shipped.push(entry);
    }
writeFileSync(path.join(VERBS_DIR, 'shipped-yaml.json'), JSON.stringify(shipped));

// The npm package ships validate's bundle alone, without caches (package.json "files"; an installed copy
// writes its cache on its first run): simulate's bundle (~200 KB compressed) would take the package over its
// 1 MB limit (test/package/install.test.ts), so an installed `simulate` runs from dist/cli/main.js.
// Each verb run once (scripts/code-cache-runs.mjs) writes its bundle's code cache (bin/e2ctwin.js does when
// none is there). Two at a time: the build waits for the slowest of each pair, not for all in a row.
const studies = mkdtempSync(path.join(tmpdir(), 'e2ctwin-build-studies-'));
const runs = codeCacheRuns(studies);
const runVerb = promisify(execFile);
for (let i = 0; i < runs.length; i += 2)
  await Promise.all(
    runs.slice(i, i + 2).map((args) => runVerb(process.execPath, ['bin/e2ctwin.js', ...args])),
  );
rmSync(studies, { recursive: true, force: true });
