// Ctrl-C during a local verification: the tools it kills fail in their own words, but what is
// reported is the interruption (exit 130) and no verification is recorded. And a spec that
// changed since the bake is named before a build is verified with it.
import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT, InterruptedError, VerifyError } from '../../src/errors.js';
import { manifestPath, readManifest, writeManifest } from '../../src/bake/manifest.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import type { LoadedSpec } from '../../src/spec/types.js';
import { specDrift, verifyBuild } from '../../src/verify/verify.js';

const BUILD = '20260101t000000-abcdef';
let root: string;

const loaded: LoadedSpec = {
  name: 'halt',
  file: '/nonexistent/halt.yaml',
  hash: 'x',
  spec: {
    description: 'd',
    architecture: 'x86_64',
    targets: { local: { release: 'bookworm' } },
    smoke: [{ name: 'true', type: 'command', run: 'true' }],
  },
};

// A succeeded build whose disk is not ext4, so the offline audit fails if it runs to the end.
async function brokenBuild(): Promise<string> {
  const file = manifestPath('halt', 'local', BUILD);
  await mkdir(path.dirname(file), { recursive: true });
  for (const name of ['disk.qcow2', 'vmlinuz', 'initrd.img']) {
    await writeFile(path.join(path.dirname(file), name), 'not a disk\n');
  }
  const manifest: BuildManifest = {
    schema: 1, build_id: BUILD, image: 'halt', target: 'local', status: 'succeeded',
    started_at: '2026-01-01T00:00:00.000Z', spec_hash: 'x', base: {}, phases: {},
    artifacts: [], tool_version: '0.1.0',
  };
  await writeManifest(file, manifest);
  return file;
}

test.before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'amibake-verify-int-'));
  process.env.AMIBAKE_BUILD_DIR = root;
});
test.after.always(() => rm(root, { recursive: true, force: true }));

test.serial('a check failing after Ctrl-C is reported as the interruption, exit 130', async (t) => {
  const manifestFile = await brokenBuild();
  const signal = AbortSignal.abort(new Error('SIGINT'));
  const error = await t.throwsAsync(
    verifyBuild({ loaded, target: 'local', manifestFile, signal }),
    { instanceOf: InterruptedError },
  );
  t.is(error?.exitCode, EXIT.interrupted);
  t.regex(error?.message ?? '', /verification of 20260101t000000-abcdef interrupted/);
  t.is((await readManifest(manifestFile)).verification, undefined);
});

test.serial('without Ctrl-C the same failure is a verification error about the disk', async (t) => {
  const manifestFile = await brokenBuild();
  const error = await t.throwsAsync(verifyBuild({ loaded, target: 'local', manifestFile }), {
    instanceOf: VerifyError,
  });
  t.regex(error?.message ?? '', /disk\.qcow2|ext4/);
});

test('a spec changed since the bake is named, an unchanged one is not', (t) => {
  const manifest = { build_id: BUILD, spec_hash: 'old' } as BuildManifest;
  t.is(specDrift({ ...manifest, spec_hash: 'x' }, loaded), undefined);
  const note = specDrift(manifest, loaded) ?? '';
  t.regex(note, /^halt\.yaml changed since build 20260101t000000-abcdef/);
});
