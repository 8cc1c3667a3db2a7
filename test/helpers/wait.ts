// Waits on a condition instead of on the clock: polls until `ready()` holds,
// and fails with `what` once the deadline has passed.

export async function waitUntil(ready: () => boolean, what: string, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (ready()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
