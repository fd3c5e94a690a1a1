// An exclusive lock file holding the owner's PID; a lock whose owner is dead is taken over.
// Known limit: PID-based, so it only guards builds on one host (the cache is per host anyway).
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { BakeError } from '../errors.js';
import { info } from '../log.js';
import { isAlive, sleep } from './proc.js';
import { registerTeardown } from './reaper.js';

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

export async function acquireLock(file: string, options: LockOptions = {}): Promise<() => void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  let announced = false;
  for (;;) {
    if (tryCreate(file)) return holdLock(file);
    const owner = readOwner(file);
    if (owner === undefined || !isAlive(owner)) {
      // The owner died without releasing; remove only if the file still names that owner.
      if (readOwner(file) === owner) removeQuietly(file);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new BakeError(`lock ${file} is held by pid ${owner}`, {
        hint: 'wait for that build to finish, or end it',
      });
    }
    if (!announced) info(`waiting for pid ${owner}, which holds ${file}`);
    announced = true;
    await sleep(options.pollMs ?? 1_000);
  }
}

function holdLock(file: string): () => void {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    unregister();
    if (readOwner(file) === process.pid) removeQuietly(file);
  };
  const unregister = registerTeardown({ onSignal: async () => release(), onExit: release });
  return release;
}

// The PID is written before the lock appears (link of a full temp file), so no reader
// ever sees an empty lock and takes it for a dead one.
function tryCreate(file: string): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`, { mode: 0o644 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeQuietly(temp);
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Someone else removed it first.
  }
}
