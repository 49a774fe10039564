import type { FastifyPluginAsync } from 'fastify';
import type { RunsStore } from '../runs-store.js';
import type { ScenarioCatalog } from '../scenario-catalog.js';
import type { JobState, SimulationJobs } from '../simulation-jobs.js';
import { checkedScenario, scenarioBodySchema, type ScenarioBody } from './scenarios.js';

type StartBody = ScenarioBody & { seed?: number; replications?: number };

/**
 * Simulations started from the page: POST checks the scenario (answering its located issues when it has
 * any), then runs it in a worker thread into a new run folder; progress streams as server-sent events.
 */
export const simulationsRoutes: FastifyPluginAsync<{
  scenarios: ScenarioCatalog;
  runs: RunsStore;
  jobs: SimulationJobs;
}> = async (app, { scenarios, runs, jobs }) => {
  app.post<{ Body: StartBody }>('/', { schema: { body: scenarioBodySchema } }, async (request, reply) => {
    const body = request.body;
    const scenario = await checkedScenario(scenarios, body);
    jobs.assertCapacity();
    const { id: runId, dir } = runs.newRun(scenario.name);
    const overrides = body.overrides ?? [];
    const state = jobs.start(
      {
        file: scenarios.fileOf(body.scenario),
        ...(body.text !== undefined ? { text: body.text } : {}),
        overrides,
        allowedRoots: [...scenarios.allowedRoots],
        ...(body.seed !== undefined ? { seed: body.seed } : {}),
        ...(body.replications !== undefined ? { replications: body.replications } : {}),
        dir,
      },
      { runId, scenario: scenario.name, replications: body.replications ?? scenario.run.replications },
    );
    return reply.status(202).send({ simulation: state, events: `/api/simulations/${state.id}/events` });
  });

  app.get<{ Params: { id: string } }>('/:id', async (request) => jobs.get(request.params.id));

  // Cancel: the worker is terminated, the job's run folder removed, its slot free for the next one.
  app.delete<{ Params: { id: string } }>('/:id', async (request) => jobs.cancel(request.params.id));

  // Server-sent events: `state` at once, then `progress` as it runs, then `done`, `failed` or `cancelled` (and the end).
  app.get<{ Params: { id: string } }>('/:id/events', async (request, reply) => {
    const state = jobs.get(request.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: JobState) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('state', state);
    if (state.status !== 'running') {
      send(state.status, state);
      res.end();
      return;
    }
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const off = jobs.subscribe(state.id, (event, s) => {
      send(event, s);
      if (event !== 'progress') {
        clearInterval(heartbeat);
        res.end();
      }
    });
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      off();
    });
  });
};
