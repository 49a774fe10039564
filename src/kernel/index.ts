export { Condition, type ConditionValue } from './conditions.js';
export {
  Env,
  type EnvOptions,
  PRIORITY_NORMAL,
  PRIORITY_URGENT,
  type Handler,
  type RunOptions,
} from './env.js';
export { Interrupt, KernelErrorCode, SimulationError } from './errors.js';
export { SimEvent, type EventCallback, type EventState } from './event.js';
export { Process, type ProcessGenerator } from './process.js';
export { SlotHeap, type SlotHeapOptions } from './slot-heap.js';
