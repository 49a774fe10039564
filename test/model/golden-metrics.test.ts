import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, runScenario, SHORT_RUNS, shippedScenarioFiles } from './shipped-runs.js';

// Golden metrics: the `simulate --json` output of a short run of every shipped scenario, checked in under
// test/fixtures/golden/ and compared byte for byte. A changed number is a changed model: if the change is
// deliberate, regenerate with `npx vitest run test/model/golden-metrics.test.ts -u` (or
// `npm run golden:update`) and say why in the commit (see test/fixtures/golden/README.md).
describe('golden metrics of the shipped scenarios', () => {
  it('covers every shipped scenario', () => {
    expect([...new Set(SHORT_RUNS.map((r) => r.file))].sort()).toEqual(shippedScenarioFiles());
  });

  for (const run of SHORT_RUNS) {
    it(`${run.file} (${run.overrides.join(' ') || 'as shipped'}, 2 replications) prints the checked-in metrics`, async () => {
      const json = cliJson(runScenario(run.file, [...run.overrides, 'run.replications=2']));
      await expect(json).toMatchFileSnapshot(
        path.join(import.meta.dirname, `../fixtures/golden/${run.name}.json`),
      );
    });
  }
});
