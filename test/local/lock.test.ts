import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireLock } from '../../src/local/lock.js';

let tmp: string;
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amibake-llock-'));
});
test.after.always(() => rm(tmp, { recursive: true, force: true }));

const lockFile = async () => path.join(await mkdtemp(path.join(tmp, 'l-')), 'b.lock');

test('a second taker waits until the first releases', async (t) => {
  const file = await lockFile();
  const release = await acquireLock(file);
  let secondGot = false;
  const second = acquireLock(file, { pollMs: 50 }).then((r) => {
    secondGot = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 300));
  t.false(secondGot);
  release();
  const releaseSecond = await second;
  t.true(secondGot);
  releaseSecond();
  t.false(existsSync(file));
});

test('a lock whose owner is dead is taken over', async (t) => {
  const file = await lockFile();
  const dead = spawnSync('true').pid!;
  await writeFile(file, `${dead}\n`);
  const release = await acquireLock(file, { timeoutMs: 2_000 });
  t.is((await readFile(file, 'utf8')).trim(), String(process.pid));
  release();
});

test('a live owner past the time limit is named in the error', async (t) => {
  const file = await lockFile();
  await writeFile(file, '1\n'); // pid 1 is always alive
  const error = await t.throwsAsync(acquireLock(file, { timeoutMs: 200, pollMs: 50 }));
  t.regex(error!.message, /held by pid 1/);
});
