export { integerSampler, sampler, type Sampler } from './dist.js';
export { distCv, distMean } from './dist-moments.js';
export type { DistSpec } from './dist-params.js';
export { RandomError, RandomErrorCode } from './errors.js';
export { erfc, incompleteBeta, logGamma, normalCdf, normalPdf, normalQuantile } from './special.js';
export { createStream, streamSeed, type Rng } from './streams.js';
export { aleaDraw, aleaSeed } from './alea.js';
