import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The files of a small study whose scenario uses an app file by path, a calibration file and a trace CSV. */
export interface StudyFixture {
  dir: string;
  scenario: string;
  /** The app model, referenced as `./station.yaml`. */
  app: string;
  /** A second app model, a level of the categorical parameter {@link CATEGORICAL_PARAM}. */
  app2: string;
  calibration: string;
  trace: string;
}

/** A numeric parameter of the fixture (two levels: 4 trials with 2 replications). */
export const POOL_PARAM = 'system.station.pools.server=1,2';
/** A categorical parameter whose levels name app files. */
export const CATEGORICAL_PARAM = 'system.station.app=./station.yaml,./station2.yaml';

const app = (serveMean: number) => `name: station
pools: { server: 1 }
stages:
  - { name: serve, pool: server, resource: delay, demand: { dist: exponential, mean: ${serveMean} }, next: [{ to: finish, probability: 1 }] }
  - { name: finish, pool: server, resource: delay, demand: { dist: exponential, mean: 0.5 } }
`;

/**
 * Writes the fixture into `dir`: an M/M/1-like station fed by Poisson arrivals and by a trace, whose app
 * comes from a file and whose second stage's demand comes from the calibration file (so editing either
 * changes the simulated numbers). Small: a trial takes milliseconds.
 */
export function writeStudyFixture(dir: string): StudyFixture {
  mkdirSync(dir, { recursive: true });
  const f: StudyFixture = {
    dir,
    scenario: path.join(dir, 'scenario.yaml'),
    app: path.join(dir, 'station.yaml'),
    app2: path.join(dir, 'station2.yaml'),
    calibration: path.join(dir, 'calib.yaml'),
    trace: path.join(dir, 'arrivals.csv'),
  };
  writeFileSync(
    f.scenario,
    `name: stale-check
seed: 5
run: { requests: 300, warmup: 20, replications: 2 }
calibration: calib.yaml
layers:
  - name: system
    services:
      - name: station
        app: ./station.yaml
  - name: outside
    services:
      - name: source
        workload: { kind: open, target: system.station, ratePerS: 0.5 }
      - name: replay
        workload: { kind: trace, target: system.station, file: arrivals.csv }
`,
  );
  writeFileSync(f.app, app(1));
  writeFileSync(f.app2, app(0.8));
  writeFileSync(
    f.calibration,
    `services:
  system.station:
    stages:
      finish: { demand: { dist: exponential, mean: 0.2 } }
`,
  );
  writeFileSync(f.trace, `time\n${Array.from({ length: 100 }, (_, i) => (i * 3.1).toFixed(1)).join('\n')}\n`);
  return f;
}

/** Replaces `from` by `to` in a file (which must contain it: an edit that does nothing would prove nothing). */
export function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}
