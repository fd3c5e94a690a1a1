import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, LockHeldError } from '../../src/util/lock.js';

let tmp: string;
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amibake-llock-'));
});
test.after.always(() => rm(tmp, { recursive: true, force: true }));

const lockFile = async () => path.join(await mkdtemp(path.join(tmp, 'l-')), 'b.lock');
const holder = (pid: number) => JSON.stringify({ pid, host: os.hostname(), since: 'then', purpose: 'a base build' });

test('a waiting taker gets the lock once the first releases it', async (t) => {
  const file = await lockFile();
  const first = await acquireLock(file, 'a base build');
  let secondGot = false;
  const second = acquireLock(file, 'a base build', { waitMs: 10_000, pollMs: 50 }).then((lock) => {
    secondGot = true;
    return lock;
  });
  await new Promise((r) => setTimeout(r, 300));
  t.false(secondGot);
  await first.release();
  const lock = await second;
  t.true(secondGot);
  await lock.release();
  t.false(existsSync(file));
});

test('a lock whose holder is dead is taken over', async (t) => {
  const file = await lockFile();
  await writeFile(file, holder(spawnSync('true').pid!));
  const lock = await acquireLock(file, 'a base build');
  t.is(JSON.parse(await readFile(file, 'utf8')).pid, process.pid);
  await lock.release();
});

test('a live holder past the wait is named in the error', async (t) => {
  const file = await lockFile();
  await writeFile(file, holder(1)); // pid 1 is always alive
  const error = await t.throwsAsync(acquireLock(file, 'x', { waitMs: 200, pollMs: 50 }), { instanceOf: LockHeldError });
  t.regex(error!.message, /a base build is already running: pid 1 on /);
});
