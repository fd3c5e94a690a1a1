import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBaseAmi } from '../../src/aws/base-ami.js';
import { resetClients } from '../../src/aws/clients.js';
import { runRebuild } from '../../src/cli/commands/rebuild.js';
import { EXIT, StateError } from '../../src/errors.js';
import { repoRoot } from '../../src/paths.js';
import { loadSpec } from '../../src/spec/load.js';
import { openStateStore, type StateStore } from '../../src/state/store.js';
import { startMoto, type MotoServer, type SeedImage } from '../helpers/moto.js';
import { motoWithBucket, tempDir, useMotoEnv } from '../state/helpers.js';
import { bakeManifest, fakeBake } from './fake-bake.js';
import { writeSpecs, type FixtureSpec } from './fixture-specs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUCKET = 'amibake-flow-state';
const OWNER = '136693071363';
const v1: SeedImage = {
  id: 'ami-0a00000000000a001',
  name: 'fixture-debian-12-amd64-20250101',
  owner: OWNER,
  arch: 'x86_64',
};
// Seeds loaded together share a CreationDate; the resolver then prefers the higher id.
const v2: SeedImage = {
  ...v1,
  id: 'ami-0a00000000000b002',
  name: 'fixture-debian-12-amd64-20250201',
};
const other: SeedImage = { ...v1, id: 'ami-0c00000000000c001', name: 'fixture-other-base-1' };

const WEB: FixtureSpec = {
  name: 'web',
  aws: { owners: [OWNER], nameFilter: 'fixture-debian-12-amd64-*' },
  regions: ['us-east-1'],
};
const DB: FixtureSpec = {
  name: 'db',
  aws: { owners: [OWNER], nameFilter: 'fixture-other-base-*' },
};

const AMIBAKE = path.join(repoRoot, 'bin', 'amibake.js');
let stateMoto: MotoServer;
let ec2Moto: MotoServer | undefined;
let counter = 0;

test.before(async () => {
  stateMoto = await motoWithBucket(BUCKET);
  process.env.AWS_ENDPOINT_URL_S3 = stateMoto.endpoint;
});

test.after.always(async () => {
  await ec2Moto?.stop();
  await stateMoto?.stop();
});

// moto cannot add a base with its architecture after start, so a "newer base" is a new server.
async function ec2With(images: SeedImage[]): Promise<void> {
  await ec2Moto?.stop();
  ec2Moto = await startMoto({ images });
  useMotoEnv(ec2Moto.endpoint);
  process.env.AWS_ENDPOINT_URL_S3 = stateMoto.endpoint;
  process.env.AWS_ENDPOINT_URL_EC2 = ec2Moto.endpoint;
  resetClients();
}

interface Outdated {
  code: number | null;
  json: { stale: boolean; calls: { describeImages: number }; images: any[] };
  stderr: string;
}

function outdated(uri: string, ...extra: string[]): Outdated {
  const result = spawnSync(
    process.execPath,
    [AMIBAKE, 'outdated', '--all', '--json', '--state', uri, ...extra],
    { encoding: 'utf8', env: process.env },
  );
  return { code: result.status, json: JSON.parse(result.stdout || '{}'), stderr: result.stderr };
}

function entry(report: Outdated, image: string) {
  return report.json.images.find((e: { image: string }) => e.image === image);
}

// What a finished bake leaves in the store: a succeeded manifest naming the base it used.
async function recordBuild(store: StateStore, name: string): Promise<void> {
  await store.put(await bakeManifest(name, 'aws'));
}

interface Setup {
  uri: string;
  store: StateStore;
  images: string;
}

async function setup(backend: 'local' | 's3'): Promise<Setup> {
  counter += 1;
  const uri = backend === 'local' ? await tempDir('flow-state') : `s3://${BUCKET}/flow-${counter}`;
  const images = await tempDir('flow-images');
  await writeSpecs(images, [WEB, DB]);
  process.env.AMIBAKE_IMAGES_DIR = images;
  return { uri, store: await openStateStore(uri), images };
}

async function staleness(t: ExecutionContext, backend: 'local' | 's3') {
  await ec2With([v1, other]);
  const { uri, store, images } = await setup(backend);
  const base = (await loadSpec('web')).spec.targets.aws!.base;
  const first = await resolveBaseAmi(base, 'x86_64', 'us-east-1');
  t.is(first.imageId, v1.id, 'v1 is the base at first');

  const never = outdated(uri);
  t.is(never.code, EXIT.stale, never.stderr);
  t.deepEqual(entry(never, 'web').reasons, [{ kind: 'never_built' }]);

  await recordBuild(store, 'web');
  const webBuild = (await store.list('web'))[0].build_id;
  await recordBuild(store, 'db');
  const fresh = outdated(uri);
  t.is(fresh.code, EXIT.ok, fresh.stderr);
  t.false(fresh.json.stale);

  await ec2With([v1, v2, other]);
  const newer = outdated(uri);
  t.is(newer.code, EXIT.stale, newer.stderr);
  t.deepEqual(entry(newer, 'web').reasons, [
    { kind: 'base_changed', build_id: webBuild, region: 'us-east-1', old: v1.id, new: v2.id },
  ]);
  t.false(entry(newer, 'db').stale, 'db uses another base and is untouched');

  const before = (await loadSpec('web')).hash;
  await writeSpecs(images, [{ ...WEB, note: 'edited' }]);
  const edited = outdated(uri);
  const reasons = entry(edited, 'web').reasons;
  const after = (await loadSpec('web')).hash;
  t.not(after, before);
  t.deepEqual(
    reasons.find((r: { kind: string }) => r.kind === 'spec_changed'),
    { kind: 'spec_changed', build_id: webBuild, old: before, new: after },
  );

  const bake = fakeBake();
  t.is(await runRebuild(['--stale', '--state', uri], bake.runImage), EXIT.ok);
  const baked = bake.calls.map((c) => `${c.name}/${c.target}`);
  t.deepEqual(baked, ['web/aws'], 'only the stale image is baked');

  const rebuilt = outdated(uri);
  t.is(rebuilt.code, EXIT.ok, 'nothing stale once the rebuild succeeded');
  t.is(await runRebuild(['--stale', '--state', uri], bake.runImage), EXIT.ok);
  t.is(bake.calls.length, 1, 'a second rebuild finds nothing to do');
  const webBuilds = await store.list('web');
  t.is(webBuilds.length, 2);
  t.is(webBuilds.at(-1)?.base.ami?.['us-east-1'], v2.id);
}

for (const backend of ['local', 's3'] as const) {
  const title = `${backend} state: new base, edited spec, rebuild of only that image, then none`;
  test.serial(title, (t) => staleness(t, backend));
}

function holdLock(uri: string, image: string): Promise<{ pid: number; kill(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const script = path.join(here, 'hold-lock.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, uri, image], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', () =>
      resolve({
        pid: child.pid!,
        kill: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      }),
    );
    child.on('exit', (code) => code && reject(new Error(`hold-lock: ${err}`)));
  });
}

for (const backend of ['local', 's3'] as const) {
  const title =
    `${backend} state: an overlapping rebuild is refused naming the holder; ` +
    "a dead holder's lock is taken over";
  test.serial(title, async (t) => {
    await ec2With([v1, other]);
    const { uri } = await setup(backend);
    const holder = await holdLock(uri, 'web');
    const bake = fakeBake();
    const args = ['--stale', 'web', '--state', uri];
    const error = await t.throwsAsync(runRebuild(args, bake.runImage), { instanceOf: StateError });
    const held = `rebuild of web is already running: pid ${holder.pid} on \\S+ since \\d{4}-`;
    t.regex(error!.message, new RegExp(held));
    t.is(bake.calls.length, 0);
    await holder.kill();
    t.is(await runRebuild(args, bake.runImage), EXIT.ok);
    t.deepEqual(bake.calls.map((c) => c.name), ['web']);
  });
}

test.serial('a failed rebuild is recorded, exits non-zero, shows as "last failed"', async (t) => {
  await ec2With([v1, other]);
  const { uri, store } = await setup('local');
  await recordBuild(store, 'db');
  const bake = fakeBake(['web']);
  t.is(await runRebuild(['--stale', '--state', uri], bake.runImage), EXIT.failed);
  const report = outdated(uri);
  t.is(report.code, EXIT.stale);
  const reasons = entry(report, 'web').reasons;
  t.is(reasons.length, 1, 'a failed attempt is not "never built"');
  const failure = { kind: 'last_failed', status: 'failed', reason: 'smoke test db-answers failed' };
  t.like(reasons[0], failure);
});
