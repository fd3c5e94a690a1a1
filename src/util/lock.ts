// An exclusive lock file naming its holder (pid, host, since, purpose). A lock left by a dead
// process on this host is taken over; a live holder is named in the error, at once or after
// waiting up to `waitMs`. Known limit: liveness is checked by PID, so a holder on another
// host is never presumed dead.
import { readFileSync, rmSync } from 'node:fs';
import { link, open, readFile, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { info } from '../log.js';
import { isAlive } from './pid.js';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

export interface Lock {
  file: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for a live holder; default 0 (fail at once). */
  waitMs?: number;
  pollMs?: number;
}

export class LockHeldError extends Error {
  constructor(readonly file: string, readonly holder: LockHolder) {
    super(`${holder.purpose} is already running: pid ${holder.pid} on ${holder.host} since ${holder.since} (lock ${file})`);
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

// The holder is written before the lock appears (a link of a complete file), so no reader
// ever sees an empty lock and takes it for a dead one.
async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o644);
  await handle.writeFile(JSON.stringify(holder));
  await handle.close();
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

// Takes the lock, or throws LockHeldError naming the holder.
export async function acquireLock(file: string, purpose: string, options: LockOptions = {}): Promise<Lock> {
  await mkdir(path.dirname(file), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let announced = false;
  for (;;) {
    if (await tryCreate(file, holder)) return holdLock(file);
    const current = await readHolder(file);
    const gone = !current || (current.host === os.hostname() && !isAlive(current.pid));
    if (gone) {
      // Remove it only if it still names the same dead holder, then try again.
      const again = await readHolder(file);
      if (JSON.stringify(again) === JSON.stringify(current)) await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new LockHeldError(file, current);
    if (!announced) info(`waiting for pid ${current.pid}: ${current.purpose} (lock ${file})`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

// Released explicitly, or at the latest when the process exits (a signal handler that calls
// process.exit included), so an interrupted run leaves no lock behind.
function holdLock(file: string): Lock {
  const releaseAtExit = () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as LockHolder).pid === process.pid) rmSync(file, { force: true });
    } catch {
      // Already gone or unreadable: nothing of ours to remove.
    }
  };
  process.once('exit', releaseAtExit);
  return {
    file,
    release: async () => {
      process.off('exit', releaseAtExit);
      const current = await readHolder(file);
      if (current?.pid === process.pid) await rm(file, { force: true });
    },
  };
}
