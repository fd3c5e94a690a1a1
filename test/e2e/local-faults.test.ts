// Faults of a real local bake: each one stops early or cleanly, names its cause, leaves no
// QEMU behind and records the failure in the build's manifest.
import test from 'ava';
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import { runCli, startCli } from '../helpers/cli.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'e2e');

async function scratchEnv(): Promise<NodeJS.ProcessEnv> {
  const buildRoot = await mkdtemp(path.join(os.tmpdir(), 'amibake-e2e-'));
  return {
    ...process.env,
    AMIBAKE_BUILD_DIR: buildRoot,
    AMIBAKE_IMAGES_DIR: path.join(fixtures, 'images'),
    AMIBAKE_PROVISIONERS_DIR: path.join(fixtures, 'provisioners'),
    AMIBAKE_SOURCE_MIRROR: path.join(fixtures, 'mirror'),
    // Each test gets its own source cache, so a file cached by one cannot mask another's fault.
    AMIBAKE_SOURCE_CACHE: path.join(buildRoot, 'source-cache'),
  };
}

async function onlyManifest(env: NodeJS.ProcessEnv, image: string): Promise<BuildManifest> {
  const builds = path.join(env.AMIBAKE_BUILD_DIR!, image, 'local', 'builds');
  const [id, ...more] = await readdir(builds);
  if (!id || more.length > 0) throw new Error(`expected one build in ${builds}`);
  return JSON.parse(await readFile(path.join(builds, id, 'manifest.json'), 'utf8')) as BuildManifest;
}

// QEMU processes whose command line names this test's build root.
function qemuUnder(buildRoot: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `qemu-system.*${buildRoot}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test.serial('a source with the wrong checksum stops the bake before any VM starts', async (t) => {
  const env = await scratchEnv();
  const mirror = path.join(env.AMIBAKE_BUILD_DIR!, 'bad-mirror');
  await mkdir(mirror);
  await writeFile(path.join(mirror, 'note.txt'), 'not what the spec pinned\n');
  const started = Date.now();
  const result = await runCli(['bake', 'fault-fail'], { ...env, AMIBAKE_SOURCE_MIRROR: mirror });
  t.is(result.code, 7, result.stderr);
  t.regex(result.stderr, /source note\.txt: sha256 mismatch from .*bad-mirror\/note\.txt: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
  t.true(Date.now() - started < 30_000);
  const manifest = await onlyManifest(env, 'fault-fail');
  t.is(manifest.status, 'failed');
  t.regex(manifest.reason ?? '', /sha256 mismatch/);
  t.deepEqual(Object.keys(manifest.phases), ['sources']);
});

test.serial('a missing source stops an offline bake with what to do', async (t) => {
  const env = await scratchEnv();
  const empty = path.join(env.AMIBAKE_BUILD_DIR!, 'empty-mirror');
  await mkdir(empty);
  const result = await runCli(['bake', 'fault-fail', '--offline'], { ...env, AMIBAKE_SOURCE_MIRROR: empty });
  t.is(result.code, 7, result.stderr);
  t.regex(result.stderr, /source note\.txt: not in the cache or any mirror, and --offline forbids downloading/);
  t.is((await onlyManifest(env, 'fault-fail')).status, 'failed');
});

test.serial('a failing provisioner fails the bake naming the step and its exit code', async (t) => {
  const env = await scratchEnv();
  const result = await runCli(['bake', 'fault-fail'], env);
  t.is(result.code, 4, result.stderr.slice(-3000));
  t.regex(result.stderr, /amibake fault fixture/, 'the checked source reached the guest');
  t.regex(result.stderr, /packer build failed in step fail-here\.sh \(exit 1\): .*exit status: 3/);
  const manifest = await onlyManifest(env, 'fault-fail');
  t.is(manifest.status, 'failed');
  t.regex(manifest.reason ?? '', /fail-here\.sh/);
  t.deepEqual(qemuUnder(env.AMIBAKE_BUILD_DIR!), []);
});

test.serial('SIGINT mid-bake stops Packer and QEMU and marks the build interrupted', async (t) => {
  const env = await scratchEnv();
  const run = startCli(['bake', 'fault-hang'], env);
  await run.waitFor(/hang-here: waiting/, 900_000);
  t.true(qemuUnder(env.AMIBAKE_BUILD_DIR!).length > 0, 'QEMU runs while the step hangs');
  run.child.kill('SIGINT');
  const result = await run.done;
  t.is(result.code, 130, result.stderr.slice(-3000));
  t.deepEqual(qemuUnder(env.AMIBAKE_BUILD_DIR!), []);
  const manifest = await onlyManifest(env, 'fault-hang');
  t.is(manifest.status, 'interrupted');
  t.truthy(manifest.finished_at);
});
