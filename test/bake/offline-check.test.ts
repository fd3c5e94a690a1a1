// --offline with packages the base disk lacks is refused before anything starts, naming them;
// packages the base holds (pinned or not) pass.
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BakeError } from '../../src/errors.js';
import { loadSpec } from '../../src/spec/load.js';
import type { LoadedSpec } from '../../src/spec/types.js';
import { defaultRecipe } from '../../src/local/recipe.js';
import { packagesMissingOffline } from '../../src/bake/offline-check.js';
import { bakeLocal } from '../../src/bake/bake-local.js';

function specWith(packages: string[], local: string[] = []): LoadedSpec {
  return {
    name: 'off',
    file: '/nonexistent/off.yaml',
    hash: 'x',
    spec: {
      description: 'd',
      architecture: 'x86_64',
      targets: { local: { release: 'bookworm', packages: local } },
      packages,
      // Not in any cache or mirror: a bake that gets past the package check stops here.
      sources: [{ name: 'a.sql', url: 'http://127.0.0.1:9/a.sql', sha256: 'a'.repeat(64) }],
    },
  };
}

test('packages of the base recipe, pinned or not, need no network', (t) => {
  const loaded = specWith(['sudo', 'openssh-server=1:9.2p1-2'], ['iproute2/bookworm']);
  t.deepEqual(packagesMissingOffline(loaded, defaultRecipe()), []);
});

test('the wafflegrid local packages are all missing from the base', async (t) => {
  const loaded = await loadSpec('wafflegrid');
  t.deepEqual(packagesMissingOffline(loaded, defaultRecipe()), [
    'mariadb-client', 'mariadb-server', 'memcached',
  ]);
});

test.serial('an offline bake needing packages for another release than the host stops at once', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-offline-'));
  process.env.AMIBAKE_BUILD_DIR = path.join(root, 'build');
  process.env.AMIBAKE_CACHE_DIR = path.join(root, 'cache');
  try {
    const loaded = specWith(['memcached']);
    loaded.spec.targets.local!.release = 'trixie';
    const error = await t.throwsAsync(bakeLocal(loaded, { offline: true }), { instanceOf: BakeError });
    t.regex(error!.message, /^--offline: packages for a trixie guest are fetched with this host's apt, but the host runs bookworm/);
    t.false(existsSync(process.env.AMIBAKE_BUILD_DIR), 'no build directory, no manifest');
  } finally {
    delete process.env.AMIBAKE_BUILD_DIR;
    delete process.env.AMIBAKE_CACHE_DIR;
    await rm(root, { recursive: true, force: true });
  }
});
