// An offline local bake: the guest is cut off the network (restrict=on), its package and what
// that needs are fetched on the host, uploaded and installed, and the image verifies.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'e2e');

test('an offline bake installs packages fetched on the host and verifies', async (t) => {
  const buildRoot = await mkdtemp(path.join(os.tmpdir(), 'amibake-offline-'));
  const env = {
    ...process.env,
    AMIBAKE_BUILD_DIR: buildRoot,
    AMIBAKE_IMAGES_DIR: path.join(fixtures, 'images'),
    AMIBAKE_PROVISIONERS_DIR: path.join(fixtures, 'provisioners'),
  };
  const result = await runCli(['image', 'offline-pkgs', '--offline', '--json'], env);
  t.is(result.code, 0, result.stderr.slice(-4000));
  const manifest = JSON.parse(result.stdout) as BuildManifest;
  t.true('packages' in manifest.phases, 'packages were fetched on the host');
  t.regex(result.stderr, /offline: \d+ packages fetched on the host for the guest/);
  t.is(manifest.verification?.status, 'passed');
  t.like(manifest.verification?.results.find((r) => r.name === 'memcached-installed'), { passed: true });
  const hcl = await readFile(path.join(buildRoot, 'offline-pkgs', 'local', 'builds', manifest.build_id, 'packer', 'build.pkr.hcl'), 'utf8');
  t.regex(hcl, /restrict=on/, 'the guest had no network during the bake');
});
