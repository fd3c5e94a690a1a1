// Runs a spec's smoke tests in a guest, each retried until it passes or its timeout runs out
// (services may still be starting after boot); every test yields one SmokeResult.
import type { SmokeTest, TargetName } from '../spec/types.js';
import type { SmokeResult } from '../manifest-types.js';
import type { GuestExec } from './guest.js';
import {
  attemptCheck,
  expectedOf,
  type CheckContext,
  type HttpProbe,
  type Outcome,
} from './smoke-checks.js';
import type { HttpMethod } from './http-in-guest.js';
import { debug, info } from '../log.js';
import { InterruptedError } from '../errors.js';
import { sleep } from './poll.js';

export const DEFAULT_SMOKE_TIMEOUT_S = 60;
// One attempt never waits longer than this, so a hung command still leaves room to retry.
const ATTEMPT_LIMIT_MS = 30_000;
const MIN_ATTEMPT_MS = 2_000;

export interface SmokeOptions {
  target: TargetName;
  httpProbe?: HttpProbe;
  /** Pause between attempts; default 2 s. */
  intervalMs?: number;
  /** Force one in-guest HTTP client instead of detecting one. */
  httpMethod?: HttpMethod;
  /** Stops retrying (InterruptedError) when aborted. */
  signal?: AbortSignal;
}

export function testsFor(tests: SmokeTest[], target: TargetName): SmokeTest[] {
  return tests.filter((t) => t.targets === undefined || t.targets.includes(target));
}

export async function runSmokeTests(
  tests: SmokeTest[],
  exec: GuestExec,
  opts: SmokeOptions,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const test of testsFor(tests, opts.target)) {
    const result = await runOne(test, exec, opts);
    info(`smoke: ${result.name} ${result.passed ? 'passed' : 'FAILED'} (${result.seconds} s)`);
    results.push(result);
  }
  return results;
}

async function runOne(test: SmokeTest, exec: GuestExec, opts: SmokeOptions): Promise<SmokeResult> {
  const started = Date.now();
  const deadline = started + (test.timeout ?? DEFAULT_SMOKE_TIMEOUT_S) * 1000;
  const interval = opts.intervalMs ?? 2000;
  let outcome: Outcome;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) {
      throw new InterruptedError(`interrupted during smoke test ${test.name}`);
    }
    const timeoutMs = Math.min(ATTEMPT_LIMIT_MS, Math.max(MIN_ATTEMPT_MS, deadline - Date.now()));
    const ctx = { exec, timeoutMs, httpProbe: opts.httpProbe, httpMethod: opts.httpMethod };
    outcome = await attemptOnce(test, ctx);
    debug(`smoke: ${test.name} attempt ${attempt}: ${outcome.passed ? 'passed' : outcome.actual}`);
    if (outcome.passed || Date.now() + interval >= deadline) break;
    await sleep(interval, opts.signal);
  }
  return {
    name: test.name,
    type: test.type,
    expected: expectedOf(test),
    actual: outcome.actual,
    passed: outcome.passed,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

// A check that throws (SSH dropped, probe refused) is a failed attempt, not the end of the run.
async function attemptOnce(test: SmokeTest, ctx: CheckContext): Promise<Outcome> {
  try {
    return await attemptCheck(test, ctx);
  } catch (error) {
    return { passed: false, actual: `error: ${(error as Error).message}` };
  }
}
