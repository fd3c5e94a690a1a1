// A named lock kept in the state store itself, so runs on different hosts sharing an S3 store
// exclude each other too. A lock whose holder is a dead process on this host is taken over.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { StateError } from '../errors.js';
import { warn } from '../log.js';
import type { BlobStore } from './blobs.js';
import { checkKeySegment } from './blobs.js';
import { toJson } from './cas.js';
import { isAlive } from '../util/pid.js';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  purpose: string;
  token: string;
}

export interface StateLock {
  /** Where the lock lives (a file path or s3:// URI). */
  location: string;
  holder: LockHolder;
  release(): Promise<void>;
}

function parseHolder(body: string): LockHolder | undefined {
  try {
    const value = JSON.parse(body) as LockHolder;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

// Known limit: a holder on another host cannot be proven dead, so its lock is never broken here.
function isAbandoned(holder: LockHolder | undefined): boolean {
  if (!holder) return true;
  return holder.host === os.hostname() && !isAlive(holder.pid);
}

export function lockKey(name: string): string {
  return `locks/${checkKeySegment(name, 'lock name')}.json`;
}

function heldError(blobs: BlobStore, key: string, holder: LockHolder): StateError {
  const where = blobs.describe(key);
  return new StateError(
    `${holder.purpose} is already running: pid ${holder.pid} on ${holder.host} since ` +
      `${holder.since} (lock ${where})`,
    { hint: `wait for it to finish; if that process is gone, delete ${where}` },
  );
}

/** Takes the lock `name` or throws a StateError naming the holder's pid, host and start. */
export async function acquireLock(
  blobs: BlobStore,
  name: string,
  purpose: string,
): Promise<StateLock> {
  const key = lockKey(name);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    purpose,
    token: randomBytes(8).toString('hex'),
  };
  const body = toJson(holder);
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await blobs.write(key, body, { ifAbsent: true })) !== undefined) {
      return makeLock(blobs, key, holder);
    }
    const current = await blobs.read(key);
    if (!current) continue; // released between our write and read: try again
    const previous = parseHolder(current.body);
    if (!isAbandoned(previous)) throw heldError(blobs, key, previous as LockHolder);
    // Replace exactly the abandoned lock we read; a racing taker makes this write fail.
    if ((await blobs.write(key, body, { ifVersion: current.version })) !== undefined) {
      const who = previous ? `pid ${previous.pid} on ${previous.host}` : 'an unreadable holder';
      warn(`took over the lock ${blobs.describe(key)} left by ${who}`);
      return makeLock(blobs, key, holder);
    }
  }
  const last = await blobs.read(key);
  const holderNow = last ? parseHolder(last.body) : undefined;
  if (holderNow) throw heldError(blobs, key, holderNow);
  throw new StateError(`could not take the lock ${blobs.describe(key)}`, { hint: 'retry' });
}

function makeLock(blobs: BlobStore, key: string, holder: LockHolder): StateLock {
  return {
    location: blobs.describe(key),
    holder,
    release: async () => {
      const current = await blobs.read(key);
      // Known limit: a taker that replaced us between this read and the remove loses its lock.
      if (current && parseHolder(current.body)?.token === holder.token) await blobs.remove(key);
    },
  };
}
