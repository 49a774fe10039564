/**
 * The server's error table. Every error the HTTP API answers with has a stable code, an HTTP status and
 * the offending values as fields; the body is always `{ statusCode, code, error, message, ...fields }`
 * (fastify's shape, plus the fields). Scenario problems keep their own located issues.
 */
export const ServerErrorCode = {
  /** No route, page or asset at this path. */
  NOT_FOUND: 'E2C_ERR_SERVER_NOT_FOUND',
  /** The request body, query or parameters do not have the expected shape. */
  BAD_REQUEST: 'E2C_ERR_SERVER_BAD_REQUEST',
  /** A run id that is not a plain folder name (separators, `..`, absolute paths) or leaves the runs folder. */
  BAD_RUN_ID: 'E2C_ERR_SERVER_BAD_RUN_ID',
  /** No run folder (with a run.json) of that name in the runs folder. */
  RUN_NOT_FOUND: 'E2C_ERR_SERVER_RUN_NOT_FOUND',
  /** The run folder has no such file (e.g. a run without a trace). */
  RUN_FILE_MISSING: 'E2C_ERR_SERVER_RUN_FILE_MISSING',
  /** A file of the run folder could not be read as what it should be. */
  RUN_FILE_INVALID: 'E2C_ERR_SERVER_RUN_FILE_INVALID',
  /** The scenario named is not one of the scenarios the server offers. */
  SCENARIO_NOT_FOUND: 'E2C_ERR_SERVER_SCENARIO_NOT_FOUND',
  /** The scenario (file, posted text or overrides) has problems; `issues` lists each, located. */
  SCENARIO_INVALID: 'E2C_ERR_SERVER_SCENARIO_INVALID',
  /** No study folder (sweep, sensitivity, optimize or capacity results) of that name in the runs folder. */
  STUDY_NOT_FOUND: 'E2C_ERR_SERVER_STUDY_NOT_FOUND',
  /** No simulation job with that id (finished jobs are forgotten after a while). */
  SIMULATION_NOT_FOUND: 'E2C_ERR_SERVER_SIMULATION_NOT_FOUND',
  /** Too many simulations running at once; try again when one finishes. */
  BUSY: 'E2C_ERR_SERVER_BUSY',
  /** A file of a run or study folder that is a link out of the runs folder, not a regular file, or too large. */
  RUN_FILE_REFUSED: 'E2C_ERR_SERVER_RUN_FILE_REFUSED',
  /** The request's Host header is not one of the names this server answers to (DNS rebinding guard). */
  FORBIDDEN_HOST: 'E2C_ERR_SERVER_FORBIDDEN_HOST',
  /** The request's Origin header is not this server's own origin (a page of another site). */
  FORBIDDEN_ORIGIN: 'E2C_ERR_SERVER_FORBIDDEN_ORIGIN',
  /** The server needs its access token (remote mode) and the request has none, or a wrong one. */
  UNAUTHORIZED: 'E2C_ERR_SERVER_UNAUTHORIZED',
  /** `host` is not a loopback address and remote access was not allowed (or has no token). */
  REMOTE_NOT_ALLOWED: 'E2C_ERR_SERVER_REMOTE_NOT_ALLOWED',
  /** Job outcome (in a job's `error.code`): the simulation ran past the server's wall-time budget and was stopped. */
  SIMULATION_TIMEOUT: 'E2C_ERR_SERVER_SIMULATION_TIMEOUT',
  /** Job outcome: the simulation needed more memory than the server's budget and was stopped. */
  SIMULATION_MEMORY: 'E2C_ERR_SERVER_SIMULATION_MEMORY',
  /** Job outcome: the simulation was cancelled (DELETE /api/simulations/:id). */
  SIMULATION_CANCELLED: 'E2C_ERR_SERVER_SIMULATION_CANCELLED',
  /** Job outcome: the simulation's worker thread stopped without saying why. */
  SIMULATION_CRASHED: 'E2C_ERR_SERVER_SIMULATION_CRASHED',
  /** Anything else: a bug or an I/O failure (the message says which). */
  INTERNAL: 'E2C_ERR_SERVER_INTERNAL',
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

const STATUS: Record<ServerErrorCode, number> = {
  E2C_ERR_SERVER_NOT_FOUND: 404,
  E2C_ERR_SERVER_BAD_REQUEST: 400,
  E2C_ERR_SERVER_BAD_RUN_ID: 400,
  E2C_ERR_SERVER_RUN_NOT_FOUND: 404,
  E2C_ERR_SERVER_RUN_FILE_MISSING: 404,
  E2C_ERR_SERVER_RUN_FILE_INVALID: 500,
  E2C_ERR_SERVER_SCENARIO_NOT_FOUND: 404,
  E2C_ERR_SERVER_SCENARIO_INVALID: 422,
  E2C_ERR_SERVER_STUDY_NOT_FOUND: 404,
  E2C_ERR_SERVER_SIMULATION_NOT_FOUND: 404,
  E2C_ERR_SERVER_BUSY: 503,
  E2C_ERR_SERVER_RUN_FILE_REFUSED: 403,
  E2C_ERR_SERVER_FORBIDDEN_HOST: 403,
  E2C_ERR_SERVER_FORBIDDEN_ORIGIN: 403,
  E2C_ERR_SERVER_UNAUTHORIZED: 401,
  E2C_ERR_SERVER_REMOTE_NOT_ALLOWED: 400,
  // Job outcomes are reported in the job's state (GET /api/simulations/:id answers 200); the status is
  // what an API would answer if it waited for the job.
  E2C_ERR_SERVER_SIMULATION_TIMEOUT: 503,
  E2C_ERR_SERVER_SIMULATION_MEMORY: 503,
  E2C_ERR_SERVER_SIMULATION_CANCELLED: 409,
  E2C_ERR_SERVER_SIMULATION_CRASHED: 500,
  E2C_ERR_SERVER_INTERNAL: 500,
};

/** An error the API answers with: code, HTTP status, message and the offending values. */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly statusCode: number;
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly fields: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = STATUS[code];
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  [field: string]: unknown;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The body for any error: ours as they are, fastify's validation errors as BAD_REQUEST, the rest INTERNAL. */
export function errorBody(err: unknown): ErrorBody {
  if (err instanceof ServerError) {
    return {
      ...err.fields,
      statusCode: err.statusCode,
      code: err.code,
      error: REASON[err.statusCode] ?? 'Error',
      message: err.message,
    };
  }
  const e = err as { statusCode?: number; validation?: unknown; message?: string; code?: string };
  const status =
    typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status < 500) {
    // fastify's own client errors (schema validation, bad JSON, body too large, bad content type).
    return {
      statusCode: status,
      code: ServerErrorCode.BAD_REQUEST,
      error: REASON[status] ?? 'Bad Request',
      message: e.message ?? 'bad request',
      ...(e.code ? { cause: e.code } : {}),
    };
  }
  return {
    statusCode: 500,
    code: ServerErrorCode.INTERNAL,
    error: REASON[500]!,
    message: e.message ?? String(err),
  };
}
