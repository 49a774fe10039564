import { describe, expect, it } from 'vitest';
import { numericLeaves, type SimulationResult } from '../../src/model/index.js';
import { runScenario, SHORT_RUNS, shippedScenarioFiles, type ShortRun } from './shipped-runs.js';

// Every shipped scenario, run short with the model's shortcuts (the default) and on the plain event path
// (run.shortcuts=false): see src/model/shortcuts.ts for each shortcut's condition and invariant.

/** How the two paths must compare for one run, and why. */
interface Expectation {
  run: ShortRun;
  replications: number;
  /**
   * `exact`: every metric of every replication equal to 1e-9 (relative, the event count aside), except
   * those whose dotted key starts with one of `except` (with the reason). `ci`: the 95 % intervals of every
   * reported metric overlap.
   */
  compare: { exact: true; except?: { prefixes: string[]; why: string } } | { ci: string };
}

const byName = new Map(SHORT_RUNS.map((r) => [r.name, r]));
const shipped = (name: string, extra: string[] = []): ShortRun => {
  const r = byName.get(name)!;
  return { ...r, overrides: [...r.overrides, ...extra] };
};

const EXPECTATIONS: Expectation[] = [
  // One user per phone, so the phone's own link carries one request at a time: its images, all asked with
  // the same lead, share the wire as on the plain path. Only the link's statistics see the lead: its bytes
  // go out d earlier, so busy time and bytes fall differently across the warm-up and the end of the run.
  {
    run: shipped('plantnet'),
    replications: 3,
    compare: {
      exact: true,
      except: {
        prefixes: ['links.'],
        why: "transfer-lead shifts a download's bytes by the ask delay, across the statistics window's edges",
      },
    },
  },
  // Users abandon (patience 3 s) and send again while their last request's images are still on the link:
  // the new upload (no lead) overlaps downloads sent with a lead, where transfer-lead is not exact.
  {
    run: shipped('plantnet-spring-peak'),
    replications: 10,
    compare: {
      ci: "transfer-lead is not exact when an abandoned request's downloads overlap the next upload",
    },
  },
  // The same users on an autoscaled fleet with a failure: balance, scaling and the failed requests are
  // decided on the same states either way; transfer-lead is as inexact as above.
  {
    run: shipped('plantnet-spring-peak-autoscale'),
    replications: 10,
    compare: {
      ci: "transfer-lead is not exact when an abandoned request's downloads overlap the next upload",
    },
  },
  // Three users per phone share its link: uploads (no lead) overlap downloads (with a lead).
  {
    run: shipped('local-testbed'),
    replications: 10,
    compare: { ci: 'transfer-lead is not exact when the users of one host share its link' },
  },
  // Third-party systems: closed users of one host share its link (as local-testbed), with the TCP options on.
  {
    run: shipped('nginx-static'),
    replications: 10,
    compare: { ci: 'transfer-lead is not exact when the users of one host share its link' },
  },
  {
    run: shipped('image-service'),
    replications: 10,
    compare: { ci: 'transfer-lead is not exact when the users of one host share its link' },
  },
  // The detector pulls each frame over the shared fog → cloud link that also carries the gateways' batches.
  {
    run: shipped('iot-camera-fog-cloud'),
    replications: 10,
    compare: {
      exact: true,
      except: {
        prefixes: ['links.fog->cloud.'],
        why: "transfer-lead: the detector's pulls (with a lead) share the fog → cloud link with uploads (without)",
      },
    },
  },
  // The same with no fog → cloud delay (the lead is 0): booked uploads (lognormal frame sizes), the fleet,
  // claims, settled answers, bursts and direct PS jobs all coincide with the plain path.
  {
    run: shipped('iot-camera-fog-cloud', ['network.1.delayMs=0']),
    replications: 3,
    compare: { exact: true },
  },
  // Poisson cameras book each frame's upload at the arrival of the last one: the frame sizes, drawn from the
  // gateway app's one stream, come in another order than on the plain path.
  {
    run: shipped('iot-camera-fog-cloud', ['edge.camera.workload.arrivals=poisson', 'network.1.delayMs=0']),
    replications: 10,
    compare: { ci: 'booked Poisson uploads draw their sizes in another order' },
  },
  // TCP's slow start on (run.tcpSlowStart): every path (bursts, wire, bookings, the fleet's bookings through
  // the roster, transfer-lead) adds the same extra delay to a transfer, so the exactness above holds as it is.
  {
    run: shipped('plantnet', ['run.tcpSlowStart=true']),
    replications: 3,
    compare: {
      exact: true,
      except: {
        prefixes: ['links.'],
        why: "transfer-lead shifts a download's bytes by the ask delay, across the statistics window's edges",
      },
    },
  },
  {
    run: shipped('iot-camera-fog-cloud', ['run.tcpSlowStart=true']),
    replications: 3,
    compare: {
      exact: true,
      except: {
        prefixes: ['links.fog->cloud.'],
        why: "transfer-lead: the detector's pulls (with a lead) share the fog → cloud link with uploads (without)",
      },
    },
  },
  ...SHORT_RUNS.filter((r) => r.name.startsWith('validation-')).map(
    (run): Expectation => ({ run, replications: 3, compare: { exact: true } }),
  ),
];

function withReplications(run: ShortRun, replications: number, shortcuts: boolean): SimulationResult {
  return runScenario(run.file, [
    ...run.overrides,
    `run.replications=${replications}`,
    ...(shortcuts ? [] : ['run.shortcuts=false']),
  ]);
}

function expectExact(fast: SimulationResult, plain: SimulationResult, except: string[]): number {
  let compared = 0;
  fast.perReplication.forEach((rep, r) => {
    const a = numericLeaves(rep);
    const b = numericLeaves(plain.perReplication[r]!);
    a.delete('events');
    b.delete('events');
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [key, value] of a) {
      if (except.some((p) => key.startsWith(p))) continue;
      const other = b.get(key)!;
      if (Number.isNaN(value)) expect(other, `replication ${r}: ${key}`).toBeNaN();
      else
        expect(
          Math.abs(value - other),
          `replication ${r}: ${key} = ${value} vs ${other}`,
        ).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
      compared++;
    }
  });
  return compared;
}

function expectCisOverlap(fast: SimulationResult, plain: SimulationResult): number {
  const keys = Object.keys(fast.ci95);
  expect(keys).toEqual(Object.keys(plain.ci95));
  let compared = 0;
  // The event count is what the shortcuts save, not a result of the model.
  for (const key of keys.filter((k) => k !== 'events')) {
    const a = fast.ci95[key]!;
    const b = plain.ci95[key]!;
    if (Number.isNaN(a.lo) && Number.isNaN(b.lo)) continue;
    expect(a.lo <= b.hi && b.lo <= a.hi, `${key}: [${a.lo}, ${a.hi}] vs [${b.lo}, ${b.hi}]`).toBe(true);
    compared++;
  }
  return compared;
}

describe('shortcuts change no result: every shipped scenario with and without them', () => {
  it('covers every shipped scenario', () => {
    expect([...new Set(EXPECTATIONS.map((e) => e.run.file))].sort()).toEqual(shippedScenarioFiles());
  });

  for (const e of EXPECTATIONS) {
    const c = e.compare;
    const how =
      'ci' in c
        ? `95 % CIs overlap over ${e.replications} replications (${c.ci})`
        : `equal to 1e-9${c.except ? ` but ${c.except.prefixes.join(', ')}* (${c.except.why})` : ''}`;
    it(`${e.run.file} ${e.run.overrides.join(' ')}: ${how}`, () => {
      const fast = withReplications(e.run, e.replications, true);
      const plain = withReplications(e.run, e.replications, false);
      // The plain path is a different path: it takes more events wherever a shortcut applied.
      expect(plain.events).toBeGreaterThanOrEqual(fast.events);
      expect(fast.completed).toBeGreaterThan(50);
      if ('ci' in e.compare) {
        expect(e.replications).toBeGreaterThanOrEqual(10);
        expect(expectCisOverlap(fast, plain)).toBeGreaterThan(10);
      } else {
        expect(expectExact(fast, plain, e.compare.except?.prefixes ?? [])).toBeGreaterThan(10);
      }
    });
  }
});
