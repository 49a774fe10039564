// Bundles the command line into one ES module (dist/cli/main.js). One file loads in about half the time of
// the hundreds of small modules of zod, yaml and commander: start-up is part of every run a user pays for.
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';

await build({
  // server/sim-worker: the worker thread of simulations started from the browser view (e2ctwin serve).
  // explore/worker: the piscina worker of sweep/sensitivity/optimize/capacity (one simulation per task).
  entryPoints: {
    'cli/main': 'src/cli/main.ts',
    'server/sim-worker': 'src/server/sim-worker.ts',
    'explore/worker': 'src/explore/worker.ts',
    // live/switch: the userspace wire of the local testbed (delay without sch_netem).
    'live/switch': 'src/live/emulation/switch.ts',
    // live/compute-worker: a compute thread of the reference engine (e2ctwin engine).
    'live/compute-worker': 'src/live/app/compute-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // Packages with native addons or worker entry files stay outside the bundle.
  external: ['better-sqlite3', 'piscina', 'ssh2', 'dockerode', 'playwright-core', 'fastify'],
  banner: {
    js: "import { createRequire as __e2cRequire } from 'node:module'; const require = __e2cRequire(import.meta.url);",
  },
});
