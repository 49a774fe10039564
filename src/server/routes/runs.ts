import type { FastifyPluginAsync } from 'fastify';
import { toChromeTrace } from '../../trace/index.js';
import { ServerError, ServerErrorCode } from '../errors.js';
import { accepts, sendEncoded } from '../encoding.js';
import { RUN_FILES, type RunFile, type RunsStore } from '../runs-store.js';
import { isPartial, partialTraceJson, traceQuery, traceStats } from '../trace-view.js';

const JSON_TYPE = 'application/json; charset=utf-8';

type IdParams = { Params: { id: string } };

/** Run folders: the list, one run's metrics and scenario, its trace, its Chrome trace and raw files. */
export const runsRoutes: FastifyPluginAsync<{ runs: RunsStore }> = async (app, { runs }) => {
  app.get('/', async () => ({ runsDir: runs.root, runs: runs.list() }));

  app.get<IdParams>('/:id', async (request) => {
    const { id } = request.params;
    const summary = runs.summary(id);
    return {
      id,
      summary,
      run: runs.readJson(id, 'run.json'),
      metrics: runs.has(id, 'metrics.json') ? runs.readJson(id, 'metrics.json') : null,
      scenario: runs.has(id, 'scenario.resolved.json') ? runs.readJson(id, 'scenario.resolved.json') : null,
      series: runs.has(id, 'series.json') ? runs.readJson(id, 'series.json') : null,
    };
  });

  // trace.jsonl, or trace.jsonl.gz as shipped live runs keep it (the command line's reader). Without a
  // query, the whole trace; with from/to/maxSpans, a time window (merged when it holds more than
  // maxSpans spans); with request, one request's spans. Compressed as the request accepts (br, gzip).
  // The first frame's overview (overview=1) comes from the overview file written beside a large
  // trace when there is one made from this very trace (see RunsStore.traceOverview): the Server-Timing
  // header says which (`overview-file` or `trace`) and how long the answer took before compression.
  app.get<IdParams & { Querystring: Record<string, unknown> }>('/:id/trace', async (request, reply) => {
    const began = performance.now();
    const timing = (from: string) =>
      void reply.header('server-timing', `${from};dur=${(performance.now() - began).toFixed(1)}`);
    const query = traceQuery(request.query ?? {});
    const { id } = request.params;
    // The overview file holds the answer to overview=1 (maxSpans=OVERVIEW_SPANS, as columns).
    const overview = query.columns ? runs.traceOverview(id, query.maxSpans!) : undefined;
    if (overview !== undefined) {
      timing('overview-file');
      // The trace itself read once the overview is out (reading it first would delay the first frame).
      reply.raw.once('finish', () => runs.readTraceSoon(id));
      // The file's gzip as it is (nothing compressed now); decompressed for a client refusing gzip.
      if (!accepts(request.headers['accept-encoding'], 'gzip'))
        return reply.type(JSON_TYPE).header('vary', 'accept-encoding').send(overview.text());
      return reply
        .type(JSON_TYPE)
        .header('vary', 'accept-encoding')
        .header('content-encoding', 'gzip')
        .send(overview.gzip);
    }
    const data = await runs.traceData(id);
    if (!isPartial(query)) {
      let cache = data.derived.get('encodedWhole') as Map<string, unknown> | undefined;
      if (!cache) data.derived.set('encodedWhole', (cache = new Map()));
      const json = await runs.traceJson(id);
      timing('trace');
      return sendEncoded(request, reply, json, JSON_TYPE, cache);
    }
    const json = partialTraceJson(data, query);
    timing('trace');
    return sendEncoded(request, reply, json, JSON_TYPE);
  });

  // Statistics of a time range of the trace: spans, requests started and completed, durations per stage.
  app.get<IdParams & { Querystring: Record<string, unknown> }>('/:id/trace/stats', async (request) => {
    const query = traceQuery(request.query ?? {});
    if (query.request !== undefined || query.maxSpans !== undefined)
      throw new ServerError(ServerErrorCode.BAD_REQUEST, 'trace statistics take only from and to', {
        param: query.request !== undefined ? 'request' : 'maxSpans',
      });
    return traceStats(await runs.traceData(request.params.id), query);
  });

  // The timeline's export button: the run's Chrome trace (made from its trace when the folder has none).
  app.get<IdParams>('/:id/chrome-trace', async (request, reply) => {
    const { id } = request.params;
    const text = runs.has(id, 'chrome-trace.json')
      ? runs.readText(id, 'chrome-trace.json')
      : `${JSON.stringify(toChromeTrace(runs.readTrace(id).spans))}\n`;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${id}.chrome-trace.json"`)
      .send(text);
  });

  app.get<{ Params: { id: string; file: string } }>('/:id/files/:file', async (request, reply) => {
    const { id, file } = request.params;
    if (!(RUN_FILES as readonly string[]).includes(file)) {
      throw new ServerError(
        ServerErrorCode.RUN_FILE_MISSING,
        `"${file.slice(0, 100)}" is not one of the run files (${RUN_FILES.join(', ')})`,
        { id, file: file.slice(0, 100) },
      );
    }
    const type = file.endsWith('.json')
      ? 'application/json; charset=utf-8'
      : file.endsWith('.jsonl')
        ? 'application/x-ndjson; charset=utf-8'
        : 'text/yaml; charset=utf-8';
    return reply.type(type).send(runs.readText(id, file as RunFile));
  });
};
