export { ResourceError, ResourceErrorCode } from './errors.js';
export { Link, type LinkOptions } from './link.js';
export { LinkRoster } from './link-roster.js';
export { GRANTED, Pool, PoolRequest, REJECTED, type PoolOptions } from './pool.js';
export { PsServer, type PsServerOptions } from './ps-server.js';
export { Store, type ItemHandler, type StoreOptions } from './store.js';
export { numberSlot } from './number-slots.js';
export { rememberStallOdds } from './stall-odds.js';
