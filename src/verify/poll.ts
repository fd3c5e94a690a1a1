// Waiting helpers for verification: a poll loop with a deadline that an AbortSignal can cut.
import { InterruptedError, VerifyError } from '../errors.js';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

// Calls check until it returns true; a check may throw to give up at once.
export async function pollUntil(
  what: string,
  timeoutMs: number,
  everyMs: number,
  signal: AbortSignal | undefined,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${what}`);
    if (await check()) return;
    if (Date.now() + everyMs > deadline) {
      const seconds = Math.round(timeoutMs / 1000);
      throw new VerifyError(`timed out after ${seconds} s waiting for ${what}`);
    }
    await sleep(everyMs, signal);
  }
}
