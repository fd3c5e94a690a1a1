// `rebuild --stale` as a scheduled run meets it: sources come from AMIBAKE_SOURCE_MIRROR, an
// aws rebuild without an SSH CIDR stops before baking, a failed build is named, and SIGINT
// stops the run after the image at hand.
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runRebuild } from '../../src/cli/commands/rebuild.js';
import { EXIT, InterruptedError } from '../../src/errors.js';
import { openStateStore } from '../../src/state/store.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import { tempDir, useMotoEnv } from '../state/helpers.js';
import { bakeManifest } from './fake-bake.js';
import { specText, writeSpecs } from './fixture-specs.js';
import { rebuildStale, type RunImage, type RunImageOptions } from '../../src/rebuild/rebuild.js';
import { liveOutdatedDeps } from '../../src/rebuild/deps.js';
import { loadSpec } from '../../src/spec/load.js';

const OWNER = '136693071363';
const BASE = { owners: [OWNER], nameFilter: 'guard-debian-12-*' };
let moto: MotoServer;

test.before(async () => {
  moto = await startMoto({
    images: [
      { id: 'ami-0a00000000000d001', name: 'guard-debian-12-1', owner: OWNER, arch: 'x86_64' },
    ],
  });
  useMotoEnv(moto.endpoint);
});

test.after.always(async () => {
  await moto?.stop();
});

async function dirs(label: string) {
  const root = await tempDir(`guard-${label}`);
  const images = path.join(root, 'images');
  Object.assign(process.env, {
    AMIBAKE_IMAGES_DIR: images,
    AMIBAKE_BUILD_DIR: path.join(root, 'build'),
    AMIBAKE_CACHE_DIR: path.join(root, 'cache'),
    AMIBAKE_SOURCE_CACHE: path.join(root, 'sources'),
  });
  return { root, images, state: path.join(root, 'state') };
}

// A source no mirror holds fails the bake before Packer, whose SSH would otherwise go to the
// address moto made up for the build instance; its URL is a closed local port.
async function writeSpecWithSource(images: string, name: string): Promise<void> {
  const spec = specText({ name, aws: BASE }) + [
    'sources:',
    '  - name: data.sql',
    '    url: http://127.0.0.1:9/data.sql',
    `    sha256: "${'0'.repeat(64)}"`,
    '',
  ].join('\n');
  await mkdir(images, { recursive: true });
  await writeFile(path.join(images, `${name}.yaml`), spec);
}

async function outcomes(state: string, image: string) {
  return (await openStateStore(state)).list(image);
}

test.serial('an aws rebuild without an SSH CIDR stops before baking and says why', async (t) => {
  const { images, state } = await dirs('cidr');
  await writeSpecWithSource(images, 'nocidr');
  delete process.env.AMIBAKE_SSH_CIDR;
  const code = await runRebuild(['--stale', 'nocidr', '--state', state, '--json']);
  t.is(code, EXIT.usage);
  t.deepEqual(await outcomes(state, 'nocidr'), [], 'no build was started');
  t.false(existsSync(path.join(process.env.AMIBAKE_BUILD_DIR!, 'nocidr')));
});

test.serial('sources come from AMIBAKE_SOURCE_MIRROR, checked like downloads', async (t) => {
  const { root, images, state } = await dirs('mirror');
  await writeSpecWithSource(images, 'mirrored');
  const mirror = path.join(root, 'mirror');
  await mkdir(mirror);
  await writeFile(path.join(mirror, 'data.sql'), 'not what the spec pins\n');
  Object.assign(process.env, { AMIBAKE_SOURCE_MIRROR: mirror, AMIBAKE_SSH_CIDR: '127.0.0.1/32' });
  t.teardown(() => {
    delete process.env.AMIBAKE_SOURCE_MIRROR;
    delete process.env.AMIBAKE_SSH_CIDR;
  });
  const code = await runRebuild(['--stale', 'mirrored', '--state', state]);
  t.is(code, EXIT.bake);
  const [failed] = await outcomes(state, 'mirrored');
  t.is(failed?.status, 'failed');
  // The mirror's copy was checked (and refused): the URL was never tried.
  t.regex(failed?.reason ?? '', new RegExp(`sha256 mismatch from ${mirror}/data\\.sql`));
  t.notRegex(failed?.reason ?? '', /download of/);
});

test.serial('SIGINT stops the image being rebuilt and starts no other', async (t) => {
  const { images, state } = await dirs('sigint');
  await writeSpecs(images, [{ name: 'first', aws: BASE }, { name: 'second', aws: BASE }]);
  const calls: RunImageOptions[] = [];
  const interrupted: RunImage = async (options) => {
    calls.push(options);
    const manifest = await bakeManifest(options.name, options.target);
    await options.state?.put({ ...manifest, status: 'running' });
    process.emit('SIGINT', 'SIGINT');
    t.true(options.signal?.aborted, 'the signal reaches the bake');
    await options.state?.put({ ...manifest, status: 'interrupted' });
    throw new InterruptedError('interrupted during packer');
  };
  const code = await runRebuild(['--stale', '--state', state, '--json'], interrupted);
  t.is(code, EXIT.interrupted);
  t.deepEqual(calls.map((c) => c.name), ['first']);
  const store = await openStateStore(state);
  const lock = await store.lock('rebuild-second', 'test');
  await lock.release();
  t.pass('the locks were released');
});

test.serial('a failed bake that carries no manifest is still named by its build id', async (t) => {
  const { images, state } = await dirs('named');
  await writeSpecs(images, [{ name: 'named', aws: BASE }]);
  const store = await openStateStore(state);
  let recorded = '';
  const failing: RunImage = async (options) => {
    const manifest = await bakeManifest(options.name, options.target);
    recorded = manifest.build_id;
    await options.state?.put({ ...manifest, status: 'failed', reason: 'packer exited 1' });
    throw new Error('packer exited 1');
  };
  const report = await rebuildStale([await loadSpec('named')], {
    ...liveOutdatedDeps(store), runImage: failing, publish: false,
  });
  t.deepEqual(report.outcomes.map((o) => [o.result, o.build_id]), [['failed', recorded]]);
});
