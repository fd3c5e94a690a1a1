// Renders writing one directory at once take turns: each finishes, and one whole render stays.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RENDER_LOCK } from '../../src/render/write-output.js';
import { tempDir } from './fixtures.js';

const run = promisify(execFile);
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'write-output-worker.ts');

test('processes rendering into one dir at once all succeed; one whole render stays', async (t) => {
  const dir = path.join(await tempDir('write-race'), 'out');
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, n) =>
      run('node', ['--import', 'tsx', worker, dir, String(n)], { timeout: 120_000 })),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  t.deepEqual(failures, []);
  const scripts = await readdir(path.join(dir, 'scripts'));
  t.is(scripts.length, 200);
  // One writer's bytes everywhere: no render's files mixed with another's.
  const hcl = await readFile(path.join(dir, 'build.pkr.hcl'), 'utf8');
  const contents = await Promise.all(
    scripts.map((s) => readFile(path.join(dir, 'scripts', s), 'utf8')),
  );
  t.deepEqual([...new Set(contents)], [hcl]);
  t.false((await readdir(dir)).includes(RENDER_LOCK), 'the lock is gone');
});
