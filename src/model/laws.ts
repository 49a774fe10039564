import {
  createStream,
  integerSampler,
  sampler,
  streamSeed,
  type DistSpec,
  type Rng,
  type Sampler,
} from '../random/index.js';
import type { Dist } from '../scenario/index.js';

/** The random layer's spec of a validated scenario law (a bare number is deterministic). */
export function toDistSpec(d: Dist): DistSpec {
  if (typeof d === 'number') return { dist: 'deterministic', value: d };
  const entries = Object.entries(d).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as unknown as DistSpec;
}

/**
 * Named random streams of one replication. Every consumer asks for its own stream by a stable name
 * (`demand:cloud.engine:extract`), so adding a component never shifts another component's numbers
 * (common random numbers across the configurations of a study).
 */
export class Streams {
  constructor(
    readonly seed: number,
    readonly replication: number,
  ) {}

  stream(name: string): Rng {
    return createStream(this.seed, name, this.replication);
  }

  /** The seed string of the stream `name`, for components that keep the generator's state themselves. */
  seedOf(name: string): string {
    return streamSeed(this.seed, name, this.replication);
  }

  law(d: Dist, name: string): Sampler {
    return sampler(toDistSpec(d), this.stream(name));
  }

  count(d: Dist, name: string): Sampler {
    return integerSampler(toDistSpec(d), this.stream(name));
  }
}
