import type { FastifyPluginAsync } from 'fastify';
import type { StudiesStore } from '../studies-store.js';

/** Exploration studies (sweep, sensitivity, optimize, capacity) found in the runs folder. */
export const studiesRoutes: FastifyPluginAsync<{ studies: StudiesStore }> = async (app, { studies }) => {
  app.get('/', async () => ({ studies: studies.list() }));
  app.get<{ Params: { id: string } }>('/:id', async (request) => studies.read(request.params.id));
  // The trials finished so far (from the study's store): a running study's charts follow them.
  app.get<{ Params: { id: string }; Querystring: { after?: string } }>('/:id/trials', async (request) =>
    studies.trials(request.params.id, Math.max(0, Math.floor(Number(request.query.after ?? 0)) || 0)),
  );
  // A running study's result document so far (an optimizer's history and Pareto front, from progress.json).
  app.get<{ Params: { id: string } }>('/:id/so-far', async (request) => studies.soFar(request.params.id));
  // A running study's progress (local or Redis backend alike: both write the study folder's progress.json).
  app.get<{ Params: { id: string } }>('/:id/progress', async (request) =>
    studies.progress(request.params.id),
  );
};
