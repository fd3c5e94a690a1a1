import test from 'ava';
import type { BaseAmiRequest, BatchResolution } from '../../src/aws/base-ami.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import { rebuildStale, type RunImageOptions } from '../../src/rebuild/rebuild.js';
import { loadAllSpecs } from '../../src/spec/load.js';
import { openStateStore } from '../../src/state/store.js';
import { makeManifest, tempDir } from '../state/helpers.js';
import { writeSpecs } from './fixture-specs.js';

const OWNER = '136693071363';
const AMI = 'ami-0123';

async function resolveAll(requests: BaseAmiRequest[]): Promise<BatchResolution> {
  const results = requests.map(() => ({ imageId: AMI, name: 'b', creationDate: '', ownerId: OWNER }));
  return { results, calls: { describeImages: 1, getParameter: 0 } };
}

test('--publish reaches only aws bakes of specs that have a publish section', async (t) => {
  const images = await tempDir('rebuild-unit-images');
  const aws = { owners: [OWNER], nameFilter: 'deb-*' };
  await writeSpecs(images, [
    { name: 'both', aws, local: true, regions: ['us-east-1'] },
    { name: 'plain', aws },
  ]);
  const specs = await loadAllSpecs(images);
  const store = await openStateStore(await tempDir('rebuild-unit-state'));
  const calls: RunImageOptions[] = [];
  const runImage = async (options: RunImageOptions): Promise<BuildManifest> => {
    calls.push(options);
    const spec = specs.find((s) => s.name === options.name)!;
    const base = options.target === 'aws' ? { ami: { 'us-east-1': AMI } } : { recipe_hash: 'r' };
    return makeManifest({
      image: options.name,
      target: options.target,
      build_id: `${options.name}-${options.target}`,
      spec_hash: spec.hash,
      base,
    });
  };
  const deps = { store, resolveBaseAmis: resolveAll, defaultRegion: 'us-east-1' };
  const report = await rebuildStale(specs, { ...deps, runImage, publish: true });
  t.deepEqual(
    calls.map((c) => `${c.name}/${c.target}/${c.publish}`).sort(),
    ['both/aws/true', 'both/local/false', 'plain/aws/false'],
  );
  t.true(calls.every((c) => c.state === store), 'the bake records into the same store');
  t.deepEqual(report.outcomes.map((o) => o.result), ['rebuilt', 'rebuilt', 'rebuilt']);
  t.is((await store.list('both')).length, 2, 'returned manifests are stored');

  calls.length = 0;
  const again = await rebuildStale(specs, { ...deps, runImage, publish: true });
  t.is(calls.length, 0, 'nothing stale the second time');
  t.true(again.checked.every((e) => !e.stale));
});
