import { z } from 'zod';
import { ScenarioSchema } from './schema/index.js';

/**
 * The JSON Schema of scenario files, generated from the zod schema (the single source of truth).
 * Input mode: fields with defaults are optional, as a user writes them. Checked in as
 * scenarios/scenario.schema.json; a test fails when the two drift apart.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://e2ctwin.dev/scenario.schema.json',
    title: 'e2ctwin scenario',
    description:
      'A workflow on the edge-to-cloud continuum: layers of services on hosts, the network between them, the workload, live-mode and exploration settings.',
  };
}

/** The schema as the exact text checked into the repository. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
