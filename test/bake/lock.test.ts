import test from 'ava';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { acquireLock, LockHeldError } from '../../src/util/lock.js';

const tempLock = async () => path.join(await mkdtemp(path.join(os.tmpdir(), 'amibake-lock-')), 'x.lock');

test('a second taker is refused with the holder named', async (t) => {
  const file = await tempLock();
  const lock = await acquireLock(file, 'a bake of demo');
  const error = await t.throwsAsync(acquireLock(file, 'a bake of demo'), { instanceOf: LockHeldError });
  t.regex(error!.message, new RegExp(`a bake of demo is already running: pid ${process.pid} on .+ since`));
  await lock.release();
  const again = await acquireLock(file, 'a bake of demo');
  await again.release();
});

test('a lock left by a dead process is taken over', async (t) => {
  const file = await tempLock();
  const dead = spawnSync('true').pid!;
  await writeFile(file, JSON.stringify({ pid: dead, host: os.hostname(), since: 'then', purpose: 'x' }));
  const lock = await acquireLock(file, 'y');
  t.is(JSON.parse(await readFile(file, 'utf8')).pid, process.pid);
  await lock.release();
});
