import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import { localRecipeHash } from '../../src/rebuild/deps.js';
import { AwsError, EXIT } from '../../src/errors.js';
import type { BaseAmiRequest, BatchResolution } from '../../src/aws/base-ami.js';
import { checkOutdated, type OutdatedDeps } from '../../src/rebuild/outdated.js';
import { outdatedExitCode } from '../../src/cli/commands/outdated.js';
import { describeEntry } from '../../src/rebuild/describe.js';
import { loadAllSpecs, loadSpec } from '../../src/spec/load.js';
import { openStateStore, type StateStore } from '../../src/state/store.js';
import { makeManifest, tempDir } from '../state/helpers.js';
import { writeSpecs } from './fixture-specs.js';

const OWNER = '136693071363';
const deb = { owners: [OWNER], nameFilter: 'deb-*' };
const RECIPE = 'r'.repeat(64);

async function fixture() {
  const images = await tempDir('outdated-images');
  await writeSpecs(images, [
    { name: 'desk', local: true },
    { name: 'web', aws: deb, regions: ['us-east-1', 'eu-west-1'] },
    { name: 'api', aws: deb, regions: ['eu-west-1'] },
    { name: 'both', aws: { owners: [OWNER], nameFilter: 'other-*' }, local: true },
  ]);
  return { images, store: await openStateStore(await tempDir('outdated-state')) };
}

// Answers every lookup from a table of filter -> region -> id, counting calls and requests.
function fakeResolver(table: Record<string, Record<string, string | Error>>) {
  const seen: BaseAmiRequest[][] = [];
  const resolve = async (requests: BaseAmiRequest[]): Promise<BatchResolution> => {
    seen.push(requests);
    const distinct = new Set(requests.map((r) => `${r.region}|${r.base.name_filter}`));
    const results = requests.map((r) => {
      const found = table[r.base.name_filter ?? '']?.[r.region];
      if (found instanceof Error || found === undefined) {
        return found instanceof AwsError ? found : new AwsError(`no base in ${r.region}`);
      }
      return { imageId: found, name: 'x', creationDate: '', ownerId: OWNER };
    });
    return { results, calls: { describeImages: distinct.size, getParameter: 0 } };
  };
  return { resolve, seen };
}

type Resolve = OutdatedDeps['resolveBaseAmis'];

function deps(store: StateStore, resolve: Resolve, recipe = RECIPE): OutdatedDeps {
  return {
    store,
    resolveBaseAmis: resolve,
    defaultRegion: 'us-east-1',
    localRecipeHash: () => recipe,
  };
}

const bases = {
  'deb-*': { 'us-east-1': 'ami-1', 'eu-west-1': 'ami-2' },
  'other-*': { 'us-east-1': 'ami-9' },
};

test('all aws bases are looked up in one batch, once per distinct region and filter', async (t) => {
  const { images, store } = await fixture();
  const resolver = fakeResolver(bases);
  const report = await checkOutdated(await loadAllSpecs(images), deps(store, resolver.resolve));
  t.is(resolver.seen.length, 1, 'one batch');
  t.is(resolver.seen[0].length, 4, 'web x2 regions, api x1, both x1 (default region)');
  t.is(report.calls.describeImages, 3);
  t.deepEqual(
    report.entries.map((e) => `${e.image}/${e.target}`).sort(),
    ['api/aws', 'both/aws', 'both/local', 'desk/local', 'web/aws'],
  );
  t.true(report.entries.every((e) => e.stale && e.reasons[0].kind === 'never_built'));
  const web = report.entries.find((e) => e.image === 'web');
  t.deepEqual(web?.current.base, { 'us-east-1': 'ami-1', 'eu-west-1': 'ami-2' });
});

test('a local build is current until the spec or the base recipe changes', async (t) => {
  const { images, store } = await fixture();
  const desk = await loadSpec('desk', images);
  const recipe = RECIPE;
  const built = { image: 'desk', target: 'local' as const, spec_hash: desk.hash };
  await store.put(makeManifest({ ...built, build_id: 'd1', base: { recipe_hash: recipe } }));
  const resolver = fakeResolver(bases);
  const now = await checkOutdated([desk], deps(store, resolver.resolve, recipe));
  t.false(now.entries[0].stale);
  t.is(resolver.seen.length, 0, 'a local-only check makes no AWS lookup');
  t.is(outdatedExitCode(now), EXIT.ok);

  const newRecipe = await checkOutdated([desk], deps(store, resolver.resolve, 's'.repeat(64)));
  t.deepEqual(newRecipe.entries[0].reasons, [
    { kind: 'base_recipe_changed', build_id: 'd1', old: recipe, new: 's'.repeat(64) },
  ]);
  t.is(outdatedExitCode(newRecipe), EXIT.stale);
  t.is(describeEntry(newRecipe.entries[0]), 'base recipe changed rrrrrrrrrrrr -> ssssssssssss');
});

test('a failed last finished build is a reason even when an older one succeeded', async (t) => {
  const { images, store } = await fixture();
  const desk = await loadSpec('desk', images);
  const common = {
    image: 'desk',
    target: 'local' as const,
    spec_hash: desk.hash,
    base: { recipe_hash: RECIPE },
  };
  const at = (month: string) => `2025-${month}-01T00:00:00Z`;
  await store.put(makeManifest({ ...common, build_id: 'old', started_at: at('01') }));
  await store.put(
    makeManifest({
      ...common,
      build_id: 'new',
      started_at: at('02'),
      status: 'interrupted',
      reason: 'SIGINT',
    }),
  );
  const running = { build_id: 'now', started_at: at('03'), status: 'running' as const };
  await store.put(makeManifest({ ...common, ...running }));
  const report = await checkOutdated([desk], deps(store, fakeResolver(bases).resolve));
  t.deepEqual(report.entries[0].reasons, [
    { kind: 'last_failed', build_id: 'new', status: 'interrupted', reason: 'SIGINT' },
  ]);
  t.is(report.entries[0].last_succeeded, 'old');
});

test('only the regions the last build took its base from are looked up and compared', async (t) => {
  const { images, store } = await fixture();
  const web = await loadSpec('web', images);
  const base = { ami: { 'us-east-1': 'ami-1' } };
  await store.put(makeManifest({ image: 'web', build_id: 'w1', spec_hash: web.hash, base }));
  const resolver = fakeResolver(bases);
  const report = await checkOutdated([web], deps(store, resolver.resolve));
  t.deepEqual(resolver.seen[0].map((r) => r.region), ['us-east-1'], 'eu-west-1 gets a copy');
  t.false(report.entries[0].stale);
  t.deepEqual(report.entries[0].current.base, { 'us-east-1': 'ami-1' });
});

test('a build that recorded no base is compared in every publish region', async (t) => {
  const { images, store } = await fixture();
  const web = await loadSpec('web', images);
  await store.put(makeManifest({ image: 'web', build_id: 'w1', spec_hash: web.hash, base: {} }));
  const report = await checkOutdated([web], deps(store, fakeResolver(bases).resolve));
  t.deepEqual(report.entries[0].reasons, [
    { kind: 'base_changed', build_id: 'w1', region: 'us-east-1', old: null, new: 'ami-1' },
    { kind: 'base_changed', build_id: 'w1', region: 'eu-west-1', old: null, new: 'ami-2' },
  ]);
});

test('a base that no longer resolves makes the check an error (exit 5)', async (t) => {
  const { images, store } = await fixture();
  const web = await loadSpec('web', images);
  const base = { ami: { 'us-east-1': 'ami-1', 'eu-west-1': 'ami-2' } };
  await store.put(makeManifest({ image: 'web', build_id: 'w1', spec_hash: web.hash, base }));
  const gone = new AwsError(`no base AMI in eu-west-1 from owners ${OWNER}`, {
    code: 'BaseAmiNotFound',
  });
  const resolver = fakeResolver({ 'deb-*': { 'us-east-1': 'ami-1', 'eu-west-1': gone } });
  const report = await checkOutdated([web], deps(store, resolver.resolve));
  t.is(report.entries[0].error, gone.message);
  t.false(report.entries[0].stale);
  t.is(outdatedExitCode(report), EXIT.aws);
  t.regex(describeEntry(report.entries[0]), /^check failed: no base AMI in eu-west-1/);
});

test('--target narrows the check to one target', async (t) => {
  const { images, store } = await fixture();
  const resolver = fakeResolver(bases);
  const only = { ...deps(store, resolver.resolve), targets: ['local' as const] };
  const report = await checkOutdated(await loadAllSpecs(images), only);
  t.deepEqual(report.entries.map((e) => e.image).sort(), ['both', 'desk']);
  t.is(resolver.seen.length, 0);
});

test('outdated prints a table on stdout; exit 10 until a local image is built', async (t) => {
  const images = await tempDir('outdated-cli-images');
  await writeSpecs(images, [{ name: 'desk', local: true }]);
  const state = await tempDir('outdated-cli-state');
  const cli = path.join(repoRoot, 'bin', 'amibake.js');
  const run = () =>
    spawnSync(process.execPath, [cli, 'outdated', 'desk', '--state', state], {
      encoding: 'utf8',
      env: { ...process.env, AMIBAKE_IMAGES_DIR: images },
    });
  const stale = run();
  t.is(stale.status, EXIT.stale, stale.stderr);
  t.deepEqual(stale.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/)), [
    ['IMAGE', 'TARGET', 'STATE', 'WHY'],
    ['desk', 'local', 'stale', 'never built'],
  ]);
  const desk = await loadSpec('desk', images);
  const store = await openStateStore(state);
  const base = { recipe_hash: localRecipeHash(desk) };
  const built = { image: 'desk', target: 'local' as const, spec_hash: desk.hash, base };
  await store.put(makeManifest({ ...built, build_id: 'd1' }));
  const current = run();
  t.is(current.status, EXIT.ok, current.stderr);
  t.regex(current.stdout, /^desk\s+local\s+current\s+up to date$/m);
});

test('a bake that failed verification, or never ran it, is stale until one is proven', async (t) => {
  const { images, store } = await fixture();
  const desk = await loadSpec('desk', images);
  const common = { image: 'desk', target: 'local' as const, spec_hash: desk.hash, base: { recipe_hash: RECIPE } };
  const check = async () => (await checkOutdated([desk], deps(store, fakeResolver({}).resolve))).entries[0];

  const failed = { status: 'failed' as const, at: 'now', results: [], audit: [] };
  await store.put(makeManifest({ ...common, build_id: 'v1', started_at: '2025-01-02T00:00:00.000Z', verification: failed }));
  t.deepEqual((await check()).reasons, [{ kind: 'not_verified', build_id: 'v1', verification: 'failed' }]);
  t.is(describeEntry(await check()), 'last build v1 failed verification');

  await store.put(makeManifest({ ...common, build_id: 'v2', started_at: '2025-01-03T00:00:00.000Z', verification: undefined }));
  t.deepEqual((await check()).reasons, [{ kind: 'not_verified', build_id: 'v2', verification: 'missing' }]);

  await store.put(makeManifest({ ...common, build_id: 'v3', started_at: '2025-01-04T00:00:00.000Z' }));
  t.false((await check()).stale);
});
