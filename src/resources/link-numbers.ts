/**
 * @internal Where a link keeps each of its numbers: slot k of its stretch of a shared chunk (see
 * number-slots.ts). Those a transfer or a booking uses come first, so that they share cache lines.
 */
export const DELAY_S = 0; // propagation delay, seconds
export const KEEP = 1; // 1 − loss
export const LOG_KEEP = 2;
export const SECONDS_PER_BYTE = 3; // on the wire
export const BYTES = 4; // payload bytes since the last statistics reset
export const WIRE_BYTES = 5; // bytes on the wire, retransmissions included
export const BURST_START = 6; // when the current burst (or the booked bytes) started
export const BURST_FROM = 7; // statistics count the burst from here (its start, or the last reset)
export const BURST_LAST = 8; // when the current burst's last bytes are out
export const BURST_BUSY = 9; // wire-busy seconds of finished bursts since the last statistics reset
export const BURST_AREA = 10; // transfer-seconds on the wire of finished bursts since the last statistics reset
export const BOOKED = 11; // 1 while booked bytes are the link's burst (see book())
export const BOOKED_BYTES = 12; // their size until counted in the statistics (from their start), −1 after
export const BOOKED_STALL = 13; // 1 if they stall
export const KEPT_DRAW = 14; // the stall draw of a refused booking, for the next transfer: 0 none, 1 stall, 2 no stall
export const STREAM = 15; // 4 slots: the stall stream's generator state, when the link keeps it (LinkOptions.stream)
export const BURST_END_SUM = 19; // Σ of the burst's transfers' byte ends
export const STATS_START = 20; // start of the statistics window
export const WIRE_FROM = 21; // when the shared wire's statistics window began (its creation or the last reset)
export const TRANSFERS = 22; // transfers started since the last statistics reset (booked bytes: once started)
export const STALLS = 23; // those that paid a stall
export const RTO_S = 24; // the stall, seconds
export const MSS = 25; // segment size, bytes
export const DRAWS = 26; // where stall draws come from: NO_DRAWS, RNG_DRAWS or OWN_DRAWS
export const SLOW_START = 27; // 1 when transfers pay TCP's slow start (LinkOptions.slowStart; tcp-window.ts)
export const FIELDS = 28;

export const NO_DRAWS = 0;
export const RNG_DRAWS = 1;
export const OWN_DRAWS = 2;
