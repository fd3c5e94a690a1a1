// A bake killed without a word (kill -9): Packer gets SIGTERM from the kernel and tears down
// its VM, and the next bake of the image marks the dead build interrupted and deletes its key.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import type { LoadedSpec } from '../../src/spec/types.js';
import { manifestPath, readManifest, writeManifest } from '../../src/bake/manifest.js';
import { runBuild } from '../../src/bake/build-run.js';
import { openStateStore } from '../../src/state/store.js';

const DEAD = '20260101t000000-dead00';
const q = (text: string) => JSON.stringify(text);
let root: string;

test.before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'amibake-dead-bake-'));
});
test.after.always(() => rm(root, { recursive: true, force: true }));

const loaded: LoadedSpec = {
  name: 'dead',
  file: '/nonexistent/dead.yaml',
  hash: 'x',
  spec: { description: 'd', architecture: 'x86_64', targets: { local: { release: 'bookworm' } } },
};

test.serial('the next bake marks a build left running interrupted, deletes its key', async (t) => {
  process.env.AMIBAKE_BUILD_DIR = path.join(root, 'build');
  const file = manifestPath('dead', 'local', DEAD);
  const keyDir = path.join(path.dirname(file), 'key');
  await mkdir(keyDir, { recursive: true });
  await writeFile(path.join(keyDir, 'id_ed25519'), 'private\n');
  const running: BuildManifest = {
    schema: 1, build_id: DEAD, image: 'dead', target: 'local', status: 'running',
    started_at: '2026-01-01T00:00:00.000Z', spec_hash: 'x', base: {}, phases: { sources: 0 },
    artifacts: [], tool_version: '0.1.0',
  };
  await writeManifest(file, running);

  const next = await runBuild(loaded, 'local', {}, async () => undefined);

  const settled = await readManifest(file);
  t.is(settled.status, 'interrupted');
  const foundBy = `found by build ${next.manifest.build_id}`;
  t.regex(settled.reason ?? '', new RegExp(`ended without recording how .*${foundBy}`));
  t.false(existsSync(keyDir), 'the dead build key is gone');
  t.is((await (await openStateStore()).get('dead', DEAD))?.status, 'interrupted');
  t.is(next.manifest.status, 'succeeded');
});

// A stand-in `packer` that records the signal it gets, run by a child amibake that is killed.
test.serial('Packer is sent SIGTERM when amibake is killed with SIGKILL', async (t) => {
  const bin = path.join(root, 'bin');
  const mark = path.join(root, 'packer-got');
  await mkdir(bin, { recursive: true });
  await writeFile(
    path.join(bin, 'packer'),
    `#!/bin/bash\ntrap 'echo TERM > ${mark}; exit 0' TERM\necho started > ${mark}\n` +
      // Ends by itself, so a failing run leaves no orphan behind.
      'for _ in $(seq 300); do sleep 0.1; done\n',
  );
  await chmod(path.join(bin, 'packer'), 0o755);
  // .mts: an ES module with top-level await wherever it lives.
  const driver = path.join(root, 'driver.mts');
  await writeFile(
    driver,
    `import { runPackerBuild } from ${q(path.join(repoRoot, 'src/bake/packer-run.ts'))};\n` +
      `await runPackerBuild({ dir: ${q(root)}, logFile: ${q(path.join(root, 'p.log'))} });\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', driver], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    stdio: 'ignore',
  });
  const waitFor = async (text: string) => {
    for (let i = 0; i < 300; i++) {
      if ((await readFile(mark, 'utf8').catch(() => '')).trim() === text) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  t.true(await waitFor('started'), 'the stand-in packer ran');
  child.kill('SIGKILL');
  t.true(await waitFor('TERM'), 'and got SIGTERM when its parent died');
});
