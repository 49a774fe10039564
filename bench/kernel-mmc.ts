/**
 * Kernel benchmark, "e2ctwin API" variant: the M/M/c queue of ../shared/reference/simulators.md §2b
 * (c = 4, λ = 3.2/s, μ = 1/s, ρ = 0.8; Erlang C: W = 1.7455 s, P(wait) = 0.5964) written directly
 * on the callback kernel, a Pool, two named random streams and a LogHistogram.
 * Two kernel events per customer (arrival, departure); the hand-over to a waiting customer is a
 * synchronous Pool grant. Peer: bench/peers/mmc_simpy.py (same model in SimPy 3).
 *
 * Standalone: `npx tsx bench/kernel-mmc.ts [customers=1000000] [seed=1]` prints one JSON line.
 */
import { pathToFileURL } from 'node:url';
import { Env } from '../src/kernel/index.js';
import { LogHistogram } from '../src/metrics/index.js';
import { createStream, sampler } from '../src/random/index.js';
import { Pool } from '../src/resources/index.js';

/** Parameters of the M/M/c model. */
export interface MmcModel {
  /** Arrival rate λ (customers per second). */
  lambda: number;
  /** Service rate μ per server (per second). */
  mu: number;
  /** Number of servers c. */
  servers: number;
}

/** The reference model: M/M/4, λ = 3.2, μ = 1. */
export const MMC_REFERENCE: MmcModel = { lambda: 3.2, mu: 1, servers: 4 };

/** What one run measured. Times are simulated seconds except `wallSeconds`. */
export interface MmcResult {
  customers: number;
  events: number;
  wallSeconds: number;
  meanResponse: number;
  p50: number;
  p95: number;
  p99: number;
  waitProbability: number;
}

/** Simulate `customers` customers of `model` with `seed`; measures wall time around `run()`. */
export function runMmcApi(
  customers: number,
  seed: number | string,
  model: MmcModel = MMC_REFERENCE,
): MmcResult {
  const env = new Env();
  const pool = new Pool(env, { size: model.servers, name: 'servers' });
  const interarrival = sampler(
    { dist: 'exponential', mean: 1 / model.lambda },
    createStream(seed, 'mmc/arrivals', 0),
  );
  const service = sampler({ dist: 'exponential', mean: 1 / model.mu }, createStream(seed, 'mmc/service', 0));
  const response = new LogHistogram();
  let arrived = 0;

  // The argument carried through the pool and the kernel is the customer's arrival time: a number,
  // so no object is allocated per customer.
  const depart = (arrival: number): void => {
    response.record(env.now - arrival);
    pool.release();
  };
  const startService = (arrival: number): void => {
    env.post(service(), depart, arrival);
  };
  const arrive = (): void => {
    pool.acquire(startService, env.now);
    if (++arrived < customers) env.post(interarrival(), arrive);
  };

  if (customers > 0) env.schedule(interarrival(), arrive);
  const t0 = performance.now();
  env.run();
  const wallSeconds = (performance.now() - t0) / 1000;
  return {
    customers: response.count,
    events: env.eventsProcessed,
    wallSeconds,
    meanResponse: response.mean,
    p50: response.quantile(0.5),
    p95: response.quantile(0.95),
    p99: response.quantile(0.99),
    waitProbability: pool.waited / pool.granted,
  };
}

function main(): void {
  const customers = Number(process.argv[2] ?? 1_000_000);
  const seed = process.argv[3] ?? '1';
  const r = runMmcApi(customers, seed);
  const out = {
    ...r,
    customersPerSecond: Math.round(r.customers / r.wallSeconds),
    eventsPerSecond: Math.round(r.events / r.wallSeconds),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
