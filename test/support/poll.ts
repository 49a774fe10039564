// Tests that wait for something real (a file written by another process, a server's state) poll for the
// condition instead of sleeping a fixed time: a busy machine may take far longer, an idle one far less.

/**
 * Resolves with the first truthy value of `check()`, tried every `everyMs` (default 20 ms); rejects naming
 * `what` (and the last value) after `timeoutMs` (default 60 s: a generous bound for a loaded machine, which
 * only a broken condition reaches).
 */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  o: { timeoutMs?: number; everyMs?: number } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const everyMs = o.everyMs ?? 20;
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`${what}: not so after ${timeoutMs} ms (last: ${String(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
