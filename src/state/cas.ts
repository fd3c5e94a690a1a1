// Read-modify-write of one JSON blob by compare-and-swap: a lost race re-reads and re-applies.
import { StateError } from '../errors.js';
import type { BlobStore } from './blobs.js';

const MAX_ATTEMPTS = 200;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function parseJson<T>(blobs: BlobStore, key: string, body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch (error) {
    throw new StateError(`${blobs.describe(key)} is not JSON: ${(error as Error).message}`, {
      hint: 'restore it from a backup or delete it; amibake rewrites it on the next build',
    });
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Applies `change` to the current value (undefined when absent) and writes the result only if
 * nobody wrote in between; otherwise waits a random, growing moment and tries again.
 * `change` runs after the read, once per attempt (and again when a read-back shows another
 * version), so it must be idempotent and derive its result from its argument
 * (and from reads it makes itself), never from a value captured before the loop.
 */
export async function casUpdate<T>(
  blobs: BlobStore,
  key: string,
  change: (current: T | undefined) => T | Promise<T>,
): Promise<T> {
  for (let attempt = 1, delay = 5; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await blobs.read(key);
    const value = await change(current ? parseJson<T>(blobs, key, current.body) : undefined);
    const condition = current ? { ifVersion: current.version } : ({ ifAbsent: true } as const);
    const written = await blobs.write(key, toJson(value), condition);
    // Read back: an endpoint whose conditional write is not atomic (moto under load accepts two
    // writers with the same If-Match) shows another version, and the change is applied again.
    if (written !== undefined && (written === '' || (await blobs.read(key))?.version === written)) return value;
    await sleep(delay / 2 + Math.random() * delay);
    delay = Math.min(delay * 1.5, 250);
  }
  throw new StateError(`gave up updating ${blobs.describe(key)} after ${MAX_ATTEMPTS} conflicts`, {
    hint: 'too many writers at once; retry the command',
  });
}
