/**
 * Seeds of a study. Every number here is derived from (root seed, purpose, indices) by hashing, never
 * from a generator consumed in completion order, so results do not depend on the number of workers or
 * on the order trials finish in.
 */

/** 32-bit FNV-1a followed by a murmur3 finalizer: a well-mixed non-negative 31-bit integer of a text. */
export function hash31(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 1;
}

/**
 * How the simulation seed of a trial is chosen:
 * - `crn` (common random numbers, the default): every configuration uses the root seed, so replication r of
 *   every configuration sees the same arrivals and service-time draws (the project's named streams are
 *   keyed by (seed, stream, replication)); differences between configurations are then not blurred by
 *   sampling noise.
 * - `independent`: the seed is a hash of (root seed, configuration), so configurations get independent
 *   random numbers.
 */
export type SeedMode = 'crn' | 'independent';

/** The simulation seed of a configuration: a function of (root seed, configuration) only. */
export function trialSeed(mode: SeedMode, rootSeed: number, configKey: string): number {
  return mode === 'crn' ? rootSeed : hash31(`e2ctwin/explore/${rootSeed}/${configKey}`);
}
