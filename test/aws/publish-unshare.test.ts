// A publish that does not finish leaves no image shared that it shared: copies are shared only
// once every region holds one, and a rollback takes back what it gave images that existed before.
import test from 'ava';
import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { readManifest } from '../../src/bake/manifest.js';
import { ec2Client, resetClients } from '../../src/aws/clients.js';
import { readSharing, shareImage, shareSnapshot } from '../../src/aws/permissions.js';
import { recordFailure } from '../../src/aws/publish-rollback.js';
import type { Run } from '../../src/aws/publish-run.js';
import { motoEnv, startMoto, type MotoServer } from '../helpers/moto.js';
import {
  makeAwsBuild,
  ownResources,
  SHARED_ACCOUNT,
  SOURCE_REGION,
  startCli,
  useTempDirs,
  writeSpec,
  type Dirs,
} from './aws-build-fixture.js';

let moto: MotoServer;
let dirs: Dirs;
const EARLIER_ACCOUNT = '111122223333';

test.before(async () => {
  moto = await startMoto({ images: [] });
  Object.assign(process.env, motoEnv(moto.endpoint));
  dirs = await useTempDirs();
});

test.after.always(async () => {
  await moto?.stop();
  await dirs?.cleanup();
});

async function imageSharing(imageId: string): Promise<string[]> {
  const out = await ec2Client(SOURCE_REGION).send(
    new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
  );
  return (out.LaunchPermissions ?? []).map((p) => p.Group ?? p.UserId ?? '?').sort();
}

async function snapshotSharing(snapshotId: string): Promise<string[]> {
  const out = await ec2Client(SOURCE_REGION).send(new DescribeSnapshotAttributeCommand({
    SnapshotId: snapshotId, Attribute: 'createVolumePermission',
  }));
  return (out.CreateVolumePermissions ?? []).map((p) => p.Group ?? p.UserId ?? '?').sort();
}

async function snapshotOf(imageId: string): Promise<string> {
  const command = new DescribeImagesCommand({ ImageIds: [imageId] });
  const out = await ec2Client(SOURCE_REGION).send(command);
  return out.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
}

test.serial('SIGINT while a first publish waits for copies leaves the AMI private', async (t) => {
  await writeSpec(dirs, 'un-sigint');
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'un-sigint');
  // Polls every 5 s, so the CLI is still waiting for its copies when the signal comes.
  const env = { ...process.env, AMIBAKE_PUBLISH_POLL_SECONDS: '5' };
  const cli = startCli(['publish', 'un-sigint', '--assume-unblocked'], env);
  const deadline = Date.now() + 60_000;
  while (!/copying ami-/.test(cli.stderr()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  cli.child.kill('SIGINT');
  const { code, stderr } = await cli.done;
  t.is(code, 130, stderr);
  t.deepEqual(await imageSharing(build.imageId), [], 'not public, not shared');
  t.deepEqual(await snapshotSharing(await snapshotOf(build.imageId)), []);
  t.is((await readManifest(build.manifestFile)).publish?.status, 'rolled_back');
});

test.serial('a rollback takes back only the sharing this run added', async (t) => {
  resetClients();
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'un-rollback');
  const snapshotId = await snapshotOf(build.imageId);
  const earlier = { public: false, accounts: [EARLIER_ACCOUNT], organizations: [] };
  await shareImage(SOURCE_REGION, build.imageId, earlier);
  await shareSnapshot(SOURCE_REGION, snapshotId, earlier);
  const before = await readSharing(SOURCE_REGION, build.imageId, [snapshotId]);
  const sharing = { public: true, accounts: [SHARED_ACCOUNT, EARLIER_ACCOUNT], organizations: [] };
  await shareImage(SOURCE_REGION, build.imageId, sharing);
  await shareSnapshot(SOURCE_REGION, snapshotId, sharing);
  t.deepEqual(await imageSharing(build.imageId), [EARLIER_ACCOUNT, SHARED_ACCOUNT, 'all'].sort());

  const outcome = {
    region: SOURCE_REGION, imageId: build.imageId, origin: 'source' as const,
    snapshots: [snapshotId],
  };
  const run = {
    manifest: await readManifest(build.manifestFile),
    source: { region: SOURCE_REGION, imageId: build.imageId },
    sourceImage: {},
    sharing,
    tags: {},
    deadline: Date.now(),
    stop: new AbortController(),
    created: [],
    kept: [outcome],
    sharedKept: [{ outcome, before }],
  } satisfies Run;
  const record = await recordFailure(run, build.manifestFile, false, new Error('stopped'));
  t.is(record.status, 'rolled_back');
  t.deepEqual(await imageSharing(build.imageId), [EARLIER_ACCOUNT], 'what it had before stays');
  t.deepEqual(await snapshotSharing(snapshotId), [EARLIER_ACCOUNT]);
  const left = (await ownResources(ec2Client(SOURCE_REGION))).images;
  t.true(left.includes(build.imageId), 'the bake\'s AMI itself stays');
});
