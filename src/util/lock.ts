// An exclusive lock file holding who took it; a lock left by a dead process is taken over.
import { open, readFile, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

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

export class LockHeldError extends Error {
  constructor(readonly file: string, readonly holder: LockHolder) {
    super(`${holder.purpose} is already running: pid ${holder.pid} on ${holder.host} since ${holder.since} (lock ${file})`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

// Takes the lock or throws LockHeldError naming the holder.
export async function acquireLock(file: string, purpose: string): Promise<Lock> {
  await mkdir(path.dirname(file), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(holder));
      await handle.close();
      return { file, release: () => releaseLock(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readHolder(file);
    const sameHost = current?.host === os.hostname();
    if (current && (!sameHost || isAlive(current.pid))) throw new LockHeldError(file, current);
    // The holder is gone (or the file is unreadable junk): take it over.
    await rm(file, { force: true });
  }
  const current = await readHolder(file);
  throw new LockHeldError(file, current ?? { pid: 0, host: '?', since: '?', purpose });
}

async function releaseLock(file: string): Promise<void> {
  const current = await readHolder(file);
  if (current?.pid === process.pid) await rm(file, { force: true });
}
