// `base clean` next to a base build in progress: the build's lock and log stay while their
// holder lives (the build renames its log at the end and would fail), and go once it is dead.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { basesDir, cleanBases } from '../../src/local/base.js';

const HASH = 'a'.repeat(64);

test.before(async () => {
  process.env.AMIBAKE_CACHE_DIR = await mkdtemp(path.join(os.tmpdir(), 'amibake-clean-'));
});
test.after.always(() => rm(process.env.AMIBAKE_CACHE_DIR!, { recursive: true, force: true }));

async function buildInProgress(pid: number) {
  await mkdir(basesDir(), { recursive: true });
  const holder = { pid, host: os.hostname(), since: 'now', purpose: 'a build of base aaaa' };
  const lock = path.join(basesDir(), `${HASH}.lock`);
  const log = path.join(basesDir(), `${HASH}.build.log`);
  await writeFile(lock, JSON.stringify(holder));
  await writeFile(log, 'mmdebstrap...\n');
  return { lock, log };
}

// A PID that surely belongs to no process: one that just exited.
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid ?? 999_999;
}

test.serial("a live base build's lock and log survive base clean", async (t) => {
  const { lock, log } = await buildInProgress(process.pid);
  await cleanBases();
  t.true(existsSync(lock));
  t.true(existsSync(log));
});

test.serial("a dead base build's lock and log are removed by base clean", async (t) => {
  const { lock, log } = await buildInProgress(deadPid());
  await cleanBases();
  t.false(existsSync(lock));
  t.false(existsSync(log));
});
