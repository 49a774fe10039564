import { readFileSync } from 'node:fs';
import type { DriverSpec, EngineSpec } from '../plan/types.js';

/** The spec a live process was given (E2CTWIN_LIVE_SPEC or --spec), if any. */
export function readSpec<T extends EngineSpec | DriverSpec>(
  file: string | undefined,
  kind: T['kind'],
): T | undefined {
  const f = file ?? process.env.E2CTWIN_LIVE_SPEC;
  if (!f) return undefined;
  const spec = JSON.parse(readFileSync(f, 'utf8')) as T;
  if (spec.kind !== kind) throw new Error(`${f} is a ${spec.kind} spec, not a ${kind} spec`);
  return spec;
}

/**
 * A standalone engine (no live run around it): an app model from models/apps/ served with its own pools.
 * The scenario layer is imported only here: an engine a live run starts has its spec file and never
 * loads it (start-up time of every service process).
 */
export async function defaultEngineSpec(appName: string, port: number): Promise<EngineSpec> {
  const { loadScenarioOrThrow } = await import('../../scenario/index.js');
  const text = `name: standalone\nrun: { duration: 1 }\nlayers:\n  - name: cloud\n    services:\n      - { name: engine, host: gpu-v100, app: ${JSON.stringify(appName)} }\n`;
  const s = loadScenarioOrThrow(`${appName}.standalone.yaml`, { text });
  const svc = s.services[0]!;
  return {
    kind: 'engine',
    scenario: 'standalone',
    service: svc.id,
    instance: `${svc.id}#0`,
    app: svc.app!,
    seed: 1,
    port,
    cores: svc.host.cpu.cores,
    targets: {},
    spansFile: 'spans.jsonl',
    statsFile: 'stats.jsonl',
    spanLimit: 200_000,
  };
}
