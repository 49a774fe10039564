import { describe, expect, it } from 'vitest';
import { runCliHere } from '../support/cli.js';

// The IoT scenario, small, with no fog → cloud delay: there every shortcut is exact (src/model/shortcuts.ts).
const args = [
  'simulate',
  'scenarios/iot-camera-fog-cloud.yaml',
  '--set',
  'run.duration=30',
  '--set',
  'run.warmup=5',
  '--set',
  'edge.camera.quantity=100',
  '--set',
  'network.1.delayMs=0',
  '-r',
  '1',
  '--json',
];

describe('e2ctwin simulate --no-shortcuts', () => {
  it('runs the plain event path: more events, the same metrics, and the same output as run.shortcuts=false', async () => {
    const fast = await runCliHere(args);
    const plain = await runCliHere([...args, '--no-shortcuts']);
    expect([fast.status, plain.status]).toEqual([0, 0]);
    const f = JSON.parse(fast.stdout);
    const p = JSON.parse(plain.stdout);
    expect(p.events).toBeGreaterThan(1.3 * f.events);
    expect(p.completed).toBe(f.completed);
    expect(Math.abs(p.responseTime.mean - f.responseTime.mean)).toBeLessThanOrEqual(
      1e-9 * f.responseTime.mean,
    );
    expect((await runCliHere([...args, '--set', 'run.shortcuts=false'])).stdout).toBe(plain.stdout);
  });

  it('is documented in --help', async () => {
    expect((await runCliHere(['simulate', '--help'])).stdout).toMatch(
      /--no-shortcuts\s+simulate on the plain event path/,
    );
  });
});
