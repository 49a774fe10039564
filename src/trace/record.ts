/**
 * The project's trace format, shared by simulated and live runs: one record per span of a request's
 * life. Calibration, validation and the browser view read these records without knowing where they
 * came from. Times are seconds from the start of the run (simulated time, or wall time for live runs).
 */
export type SpanKind =
  /** A whole request, from the client sending it to the client receiving the answer. */
  | 'request'
  /** Waiting for a thread of a pool. */
  | 'wait'
  /** Work of a stage while holding its thread (CPU, GPU, pure delay, forward). */
  | 'stage'
  /** Moving bytes over the network (upload, download stage, response). */
  | 'network';

export interface SpanRecord {
  /** Request id, unique within a run. */
  request: number;
  kind: SpanKind;
  /** Stage name, or `request`, `upload`, `response`. */
  name: string;
  /** Service the span ran on, `<layer>.<service>`. */
  service: string;
  /** Host instance, `<layer>.<service>#<index>`. */
  host: string;
  /** Thread pool of a wait or stage span. */
  pool?: string;
  /** Thread (lane) of the pool that ran the stage, 0-based. */
  lane?: number;
  /** Item index for per-item stages (e.g. the image of a request). */
  item?: number;
  start: number;
  end: number;
  /**
   * Outcome of a `request` span: answered, refused by the app (HTTP 503, a full pool queue), abandoned
   * at the user's patience, or failed (no answer: connection refused or reset, an HTTP error other than
   * a refusal — live runs only).
   */
  status?: 'ok' | 'rejected' | 'abandoned' | 'failed';
  /** A live `request` span: whether it went out on a connection opened for it (handshake first) or on a kept one. */
  connection?: 'new' | 'reused';
  /** A live `request` span: the answer's body bytes as received (what a transfer-time check compares). */
  bytes?: number;
  /** A live `request` span: attempts sent again (workload `retry`); absent when none. */
  retries?: number;
  /** A live `request` span: attempts given up at their timeout (retry.timeoutS); absent when none. */
  timedOut?: number;
}

/** First line of a trace file (JSON Lines): what the spans that follow come from. */
export interface TraceHeader {
  format: 'e2ctwin-trace';
  version: 1;
  source: 'simulation' | 'live';
  scenario: string;
  seed?: number;
  replication?: number;
  /** Spans cover this many requests, chosen without regard to their outcome (the first after warm-up). */
  sampledRequests: number;
}

export const TRACE_FORMAT = 'e2ctwin-trace' as const;
