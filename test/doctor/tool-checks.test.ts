import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commandCheck, diskCheck, packerCheck } from '../../src/doctor/tool-checks.js';
import { formatResult } from '../../src/doctor/check-result.js';

test('a present tool is reported with its version line', async (t) => {
  const result = await commandCheck('qemu-img', 'qemu-utils');
  t.is(result.status, 'ok');
  t.regex(result.finding, /qemu-img version \d+\.\d+/);
});

test('a missing tool fails and names the package to install', async (t) => {
  const result = await commandCheck('qemu-system-x86_64', 'qemu-system-x86', {
    ...process.env, PATH: '/nonexistent',
  });
  t.is(formatResult(result),
    'fail  qemu-system-x86_64: not found on PATH  (remedy: apt-get install qemu-system-x86)');
});

test("Packer's version is read from the installed packer", async (t) => {
  const result = await packerCheck();
  t.is(result.status, 'ok');
  t.regex(result.finding, /^Packer \d+\.\d+\.\d+ found$/);
});

test('free disk space is measured at the nearest existing parent of the cache dir', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-disk-'));
  try {
    const cache = path.join(dir, 'not', 'yet', 'made');
    const enough = await diskCheck(cache, 1);
    t.is(enough.status, 'ok');
    t.regex(enough.finding, new RegExp(`GiB free for ${cache}$`));
    const short = await diskCheck(cache, 1024 ** 5);
    t.is(short.status, 'fail');
    t.regex(short.finding, /a local bake needs about 1048576\.0 GiB/);
    t.regex(short.remedy ?? '', /AMIBAKE_CACHE_DIR/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
