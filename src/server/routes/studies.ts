import type { FastifyPluginAsync } from 'fastify';
import type { StudiesStore } from '../studies-store.js';

/** Exploration studies (sweep, sensitivity, optimize, capacity) found in the runs folder. */
export const studiesRoutes: FastifyPluginAsync<{ studies: StudiesStore }> = async (app, { studies }) => {
  app.get('/', async () => ({ studies: studies.list() }));
  app.get<{ Params: { id: string } }>('/:id', async (request) => studies.read(request.params.id));
  // A running study's progress (local or Redis backend alike: both write the study folder's progress.json).
  app.get<{ Params: { id: string } }>('/:id/progress', async (request) =>
    studies.progress(request.params.id),
  );
};
