import type { Command } from 'commander';
import { scenarioJsonSchemaText } from '../../scenario/index.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(
      'Print the JSON Schema of scenario files (generated from the zod schema; checked in as scenarios/scenario.schema.json).',
    )
    .action(() => {
      process.stdout.write(scenarioJsonSchemaText());
    });
}
