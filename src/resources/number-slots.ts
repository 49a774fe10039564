/**
 * Slots of numbers in shared chunks, for objects made by the thousand (a link per device) that keep a few
 * numbers each: a typed array of their own above 64 bytes would have its own off-heap store (one more cache
 * miss per access, one more buffer for the garbage collector to track), and a number field of an object is
 * a separate heap box. Objects made together (a network builds its links in order) sit side by side. A
 * chunk lives as long as one of its users; slots are never reused, so a new one is all zeros.
 */
const CHUNK_NUMBERS = 1152; // 9 KiB: 64 links' numbers

let chunk = new Float64Array(0);
let chunkUsed = 0;

/** A slot of `size` zeroed numbers: the chunk and the slot's first index in it. */
export function numberSlot(size: number): [Float64Array, number] {
  if (chunkUsed + size > chunk.length) {
    chunk = new Float64Array(Math.max(CHUNK_NUMBERS, size));
    chunkUsed = 0;
  }
  const at = chunkUsed;
  chunkUsed += size;
  return [chunk, at];
}
