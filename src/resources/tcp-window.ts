/**
 * TCP's slow start as extra time on a transfer: what a flow-level link (rate shared fairly, plus the
 * propagation delay) misses when a transfer's window starts small. Pure functions; the link adds the result
 * to a transfer's delay (link-booking.ts) when its `slowStart` option is on.
 *
 * The model (the "rounds" reckoning of Cardwell, Savage & Anderson, "Modeling TCP latency", 2000):
 * the sender starts with an initial window of 10 segments of 1448 payload bytes (Linux: RFC 6928's
 * initcwnd, a 1500-byte MTU less the IP, TCP and timestamp headers) and doubles its window every round trip.
 * A round whose window is below the path's bandwidth-delay product (rate × RTT) cannot keep the bottleneck
 * busy: it sends its window, then waits for the first acknowledgement, so it costs a full RTT instead of
 * window/rate. Once the window covers the bandwidth-delay product (or the bytes left fit in the window) the
 * rest goes out at the link's rate, as the flow-level link already reckons. So the extra time is
 * Σ (RTT − wₖ/rate) over the rounds k that end waiting: wₖ = 10·1448·2ᵏ < rate·RTT and bytes are left after it.
 *
 * Assumptions, each a way the real thing can differ:
 * - Every transfer pays it. Linux restarts slow start on a connection idle for longer than its
 *   retransmission timeout (net.ipv4.tcp_slow_start_after_idle = 1, the default; RTO ≥ 200 ms), so a
 *   request after a think time of a second or more starts from the initial window even on a kept-alive
 *   connection. A connection kept busy (back-to-back requests) keeps its window and pays less: not modelled.
 * - No loss, hence no exit from slow start before the window covers the bandwidth-delay product (the link's
 *   own loss model adds its retransmitted bytes and stalls on top, independently).
 * - The receive window does not limit (Linux autotunes it well above these windows) and acknowledgements
 *   are not delayed in slow start (Linux acks at once while in quick-ack mode, at a connection's start).
 * - The rate is the link's full rate: a transfer that shares the link has a smaller share, so its window
 *   would cover its share's bandwidth-delay product sooner; the model then overstates slow start a little.
 * - The connection's handshake (one more RTT for a new connection) is not included: it belongs to the
 *   request, not to the bytes' transfer.
 */

/** Segments in Linux's initial congestion window (RFC 6928). */
export const INITIAL_WINDOW_SEGMENTS = 10;

/** Payload bytes per segment: a 1500-byte MTU less 20 (IP), 20 (TCP) and 12 (timestamps option). */
export const MSS_BYTES = 1448;

/**
 * Share of a shaped rate left to TCP payload: a full segment of {@link MSS_BYTES} travels in a 1514-byte
 * Ethernet frame (1500 + 14 header), and shapers (tc htb/tbf, netem rate) count whole frames. The local
 * testbed's own check measures it: 19.13 Mbit/s of payload through a 20 Mbit/s htb class, 0.9565 of it.
 */
export const TCP_PAYLOAD_SHARE = MSS_BYTES / 1514;

/**
 * Extra seconds slow start adds to a transfer of `bytes` over a path of round-trip time `rttS` whose
 * bottleneck sends a byte in `secondsPerByte` (8 / bit rate), beyond bytes/rate + propagation delay.
 * 0 for a transfer that fits in the initial window or a path with no round trip.
 */
export function slowStartS(bytes: number, rttS: number, secondsPerByte: number): number {
  let extra = 0;
  forEachWaitedWindow(bytes, rttS, secondsPerByte, (window) => {
    extra += rttS - window * secondsPerByte;
  });
  return extra;
}

/** Round trips that end waiting for an acknowledgement (the rounds {@link slowStartS} charges). */
export function slowStartRounds(bytes: number, rttS: number, secondsPerByte: number): number {
  let rounds = 0;
  forEachWaitedWindow(bytes, rttS, secondsPerByte, () => rounds++);
  return rounds;
}

/** Calls `fn(window)` for each round whose window is below the bandwidth-delay product while bytes are left after it. */
function forEachWaitedWindow(
  bytes: number,
  rttS: number,
  secondsPerByte: number,
  fn: (windowBytes: number) => void,
): void {
  // The bandwidth-delay product, in bytes: the window that keeps the bottleneck busy.
  const bdp = rttS / secondsPerByte;
  let window = INITIAL_WINDOW_SEGMENTS * MSS_BYTES;
  let left = bytes;
  while (left > window && window < bdp) {
    fn(window);
    left -= window;
    window *= 2;
  }
}
