import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/model/index.js';
import { loadScenario, type ResolvedScenario } from '../../src/scenario/index.js';

// The image service of issue 24 (apps/image-service/, models/apps/image-service.yaml): its scenario loads,
// its model names the app's real mechanisms, and the two gunicorn worker classes differ as they should.
const file = path.join(import.meta.dirname, '../../scenarios/image-service.yaml');

function load(overrides: string[] = []): ResolvedScenario {
  const r = loadScenario(file, { overrides });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.scenario;
}

describe('scenarios/image-service.yaml', () => {
  it('validates, and its app model has the stages and pools of the gunicorn app', () => {
    const app = load().services.find((s) => s.id === 'cloud.images')!.app!;
    expect(app.stages.map((s) => [s.name, s.resource, s.pool ?? null])).toEqual([
      ['accept', 'cpu', 'threads'],
      ['download', 'network', null],
      ['decode', 'cpu', null],
      ['features', 'cpu', 'workers'],
    ]);
    // A request's thread is held for its whole life, the download included (a sync worker blocks on it).
    expect(app.stages[0]!.hold).toBe('request');
    expect(Object.keys(app.pools).sort()).toEqual(['threads', 'workers']);
    // One download of the 300 000 bytes the driver sends per picture, on a connection opened for it (urllib),
    // whose handshake and slow start the run's TCP options charge (no hand-unrolled rounds).
    const download = app.stages.find((s) => s.name === 'download')!;
    expect(Number(download.sizeBytes)).toBe(300_000);
    expect(download.newConnection).toBe(true);
    const run = load().run;
    expect(run.tcpSlowStart).toBe('new-connections');
    expect(run.tcpFraming).toBe(true);
  });

  it('simulates; with one worker process, gthread threads overlap the downloads that a sync worker serializes', () => {
    const at = (threads: number) =>
      simulate(
        load([
          'cloud.images.pools.workers=1',
          `cloud.images.pools.threads=${threads}`,
          'edge.clients.workload.users=4',
          'run.replications=2',
          'run.duration=30',
        ]),
      ).result;
    const sync = at(1);
    const gthread = at(8);
    expect(sync.completed).toBeGreaterThan(20);
    expect(gthread.completed).toBeGreaterThan(20);
    // One sync worker serves one request at a time (download ≈ 0.3 s + CPU): a queue builds at 8 users.
    expect(gthread.responseTime.mean).toBeLessThan(0.7 * sync.responseTime.mean);
    expect(gthread.throughput).toBeGreaterThan(sync.throughput);
  });
});
