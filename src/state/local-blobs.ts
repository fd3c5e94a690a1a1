// Blobs as files under one directory. Conditional writes hold a per-key O_EXCL mutex file for
// the few milliseconds between checking the version and renaming the new file into place.
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { StateError } from '../errors.js';
import { sha256, writeFileAtomic } from '../util/fs.js';
import type { Blob, BlobStore, WriteCondition } from './blobs.js';

// A mutex is held for one read-compare-rename; one this old belongs to a crashed writer.
// Known limit: a writer paused longer than this (SIGSTOP, swap storm) can be overtaken.
const STALE_MUTEX_MS = 10_000;
// Generous: thirty writers on a loaded two-core machine were seen to need more than 30 s.
const MUTEX_WAIT_MS = 180_000;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class LocalBlobStore implements BlobStore {
  constructor(readonly location: string) {}

  describe(key: string): string {
    return this.pathOf(key);
  }

  private pathOf(key: string): string {
    return path.join(this.location, ...key.split('/'));
  }

  async read(key: string): Promise<Blob | undefined> {
    try {
      const body = await readFile(this.pathOf(key), 'utf8');
      return { body, version: sha256(body) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new StateError(`cannot read ${this.pathOf(key)}: ${(error as Error).message}`);
    }
  }

  async write(key: string, body: string, condition?: WriteCondition): Promise<string | undefined> {
    const file = this.pathOf(key);
    const release = await this.lockKey(file);
    try {
      const current = await this.read(key);
      if (condition && 'ifAbsent' in condition && current) return undefined;
      if (condition && 'ifVersion' in condition && current?.version !== condition.ifVersion) {
        return undefined;
      }
      await writeFileAtomic(file, body);
      return sha256(body);
    } finally {
      await release();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    await this.walk(prefix.replace(/\/$/, ''), keys);
    return keys.sort();
  }

  private async walk(keyDir: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.pathOf(keyDir), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const key = keyDir === '' ? entry.name : `${keyDir}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (!/\.(lock|tmp)$/.test(entry.name)) into.push(key);
    }
  }

  async children(prefix: string): Promise<string[]> {
    try {
      const dir = this.pathOf(prefix.replace(/\/$/, ''));
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  // Creates <file>.lock with O_EXCL; waits with jitter while another writer holds it.
  private async lockKey(file: string): Promise<() => Promise<void>> {
    const mutex = `${file}.lock`;
    await mkdir(path.dirname(file), { recursive: true });
    const deadline = Date.now() + MUTEX_WAIT_MS;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      try {
        const handle = await open(mutex, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => rm(mutex, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      await this.breakStaleMutex(mutex);
      if (Date.now() > deadline) {
        throw new StateError(`timed out waiting for ${mutex}`, {
          hint: 'another amibake is writing state; if none is running, delete that file',
        });
      }
      await sleep(delay + Math.random() * delay);
    }
  }

  // Renaming first means only one waiter removes a given stale mutex.
  private async breakStaleMutex(mutex: string): Promise<void> {
    try {
      const info = await stat(mutex);
      if (Date.now() - info.mtimeMs < STALE_MUTEX_MS) return;
      const aside = `${mutex}.${process.pid}.stale.tmp`;
      await rename(mutex, aside);
      await rm(aside, { force: true });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}
