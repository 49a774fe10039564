import type { FastifyPluginAsync } from 'fastify';
import { summarizeScenario } from '../../scenario/index.js';
import { ServerError, ServerErrorCode } from '../errors.js';
import type { ScenarioCatalog, ScenarioCheck } from '../scenario-catalog.js';

/** Body of a scenario check or of a simulation start: a scenario of the list, maybe edited, and overrides. */
export interface ScenarioBody {
  scenario: string;
  text?: string;
  overrides?: string[];
}

export const scenarioBodySchema = {
  type: 'object',
  required: ['scenario'],
  additionalProperties: false,
  properties: {
    scenario: { type: 'string', minLength: 1, maxLength: 300 },
    text: { type: 'string', maxLength: 1_000_000 },
    overrides: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 2000 } },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    replications: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

/** The check's outcome, or SCENARIO_INVALID carrying every located issue. */
export async function checkedScenario(
  scenarios: ScenarioCatalog,
  body: ScenarioBody,
): Promise<Extract<ScenarioCheck, { ok: true }>['scenario']> {
  const r = await scenarios.check(body.scenario, {
    ...(body.text !== undefined ? { text: body.text } : {}),
    overrides: body.overrides ?? [],
  });
  if (!r.ok) {
    const n = r.issues.length;
    throw new ServerError(
      ServerErrorCode.SCENARIO_INVALID,
      `${n} problem${n === 1 ? '' : 's'} in the scenario`,
      { issues: r.issues },
    );
  }
  return r.scenario;
}

/** Scenarios the page can pick, their text, and checks of edited text with overrides. */
export const scenariosRoutes: FastifyPluginAsync<{ scenarios: ScenarioCatalog }> = async (
  app,
  { scenarios },
) => {
  app.get('/', async () => {
    const list = scenarios.list();
    return {
      scenarios: list,
      default: list.some((s) => s.name === 'plantnet.yaml') ? 'plantnet.yaml' : (list[0]?.name ?? null),
    };
  });

  app.get<{ Querystring: { name: string } }>(
    '/text',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 300 } },
        },
      },
    },
    async (request) => ({ name: request.query.name, text: scenarios.text(request.query.name) }),
  );

  app.post<{ Body: ScenarioBody }>('/check', { schema: { body: scenarioBodySchema } }, async (request) => {
    const scenario = await checkedScenario(scenarios, request.body);
    return { ok: true, summary: summarizeScenario(scenario), scenario };
  });
};
