import test from 'ava';
import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  type Image,
  type Tag,
} from '@aws-sdk/client-ec2';
import { AwsError, VerifyError } from '../../src/errors.js';
import { newBuildId, readManifest } from '../../src/bake/manifest.js';
import { ec2Client } from '../../src/aws/clients.js';
import { findAwsManifest } from '../../src/aws/manifest-io.js';
import { publishBuild, type PublishRequest } from '../../src/aws/publish.js';
import type { AuditFinding, PublishRecord } from '../../src/manifest-types.js';
import type { Publish } from '../../src/spec/types.js';
import {
  makeAwsBuild,
  ownResources,
  SHARED_ACCOUNT,
  SOURCE_REGION,
  startCli,
  TARGETS,
  useMotoPerFile,
  writeSpec,
} from './aws-build-fixture.js';

// One server for the file; tests are serial and each starts from an empty moto. No preloaded
// images: moto's own come with snapshots owned by the test account, which would blur counts.
const file = useMotoPerFile({ resetEach: true });
const COPY_REGIONS = TARGETS.filter((r) => r !== SOURCE_REGION);
const EMPTY = { images: [], snapshots: [] };
const settings: Publish = {
  public: true,
  regions: TARGETS,
  accounts: [SHARED_ACCOUNT],
  tags: { Project: 'amibake-test' },
};


function request(image: string, file: string, change: Partial<PublishRequest> = {}) {
  return { image, manifestFile: file, publish: settings, assumeUnblocked: true, ...change };
}

function tagMap(tags: Tag[] | undefined): Record<string, string | undefined> {
  return Object.fromEntries((tags ?? []).map((x) => [x.Key, x.Value]));
}

async function describe(region: string, imageId: string): Promise<Image> {
  const out = await ec2Client(region).send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  return out.Images?.[0] ?? {};
}

async function sharedWith(region: string, imageId: string, snapshotId: string) {
  const ec2 = ec2Client(region);
  const launch = await ec2.send(
    new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
  );
  const volume = await ec2.send(
    new DescribeSnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
    }),
  );
  return {
    image: (launch.LaunchPermissions ?? []).map((p) => p.Group ?? p.UserId).sort(),
    snapshot: (volume.CreateVolumePermissions ?? []).map((p) => p.Group ?? p.UserId).sort(),
  };
}

test.serial('publish copies to three regions, tags AMIs and snapshots, shares both', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-three');
  const outcome = await publishBuild(request('pub-three', build.manifestFile));
  t.deepEqual(outcome.regions.map((r) => [r.region, r.origin]), [
    ['us-east-1', 'source'],
    ['us-west-2', 'copied'],
    ['eu-west-1', 'copied'],
  ]);
  t.is(outcome.regions[0].imageId, build.imageId);
  const ours = { 'amibake:image': 'pub-three', 'amibake:build-id': build.buildId };
  for (const { region, imageId } of outcome.regions) {
    const image = await describe(region, imageId);
    t.is(image.Name, build.amiName, `${region} copy keeps the name`);
    t.like(tagMap(image.Tags), { ...ours, Project: 'amibake-test' }, `${region} AMI tags`);
    const snapshotId = image.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
    const snapshot = await ec2Client(region).send(
      new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }),
    );
    t.like(tagMap(snapshot.Snapshots?.[0]?.Tags), ours, `${region} snapshot tags`);
    t.deepEqual(await sharedWith(region, imageId, snapshotId), {
      image: [SHARED_ACCOUNT, 'all'],
      snapshot: [SHARED_ACCOUNT, 'all'],
    });
  }
  const manifest = await readManifest(build.manifestFile);
  t.is(manifest.publish?.status, 'published');
  t.true(manifest.publish?.public);
  const where = Object.fromEntries(outcome.regions.map((r) => [r.region, r.imageId]));
  t.deepEqual(manifest.publish?.amis, where);
});

test.serial('a second publish reuses the copies and makes nothing new', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-twice');
  const first = await publishBuild(request('pub-twice', build.manifestFile));
  const second = await publishBuild(request('pub-twice', build.manifestFile));
  t.deepEqual(second.regions.map((r) => r.imageId), first.regions.map((r) => r.imageId));
  t.deepEqual(second.regions.map((r) => r.origin), ['source', 'reused', 'reused']);
  for (const region of TARGETS) {
    const own = await ownResources(ec2Client(region));
    t.is(own.images.length, 1, `${region} holds one AMI`);
    t.is(own.snapshots.length, 1, `${region} holds one snapshot`);
  }
});

test.serial('an unverified or failed build is refused before anything is copied', async (t) => {
  const ec2 = ec2Client(SOURCE_REGION);
  const never = await makeAwsBuild(ec2, 'pub-unverified', { verified: 'none' });
  const error = await t.throwsAsync(publishBuild(request('pub-unverified', never.manifestFile)), {
    instanceOf: VerifyError,
  });
  t.regex(error.message, /is not verified \(never verified\)/);
  t.regex(error.hint ?? '', /amibake verify pub-unverified/);
  const failed = await makeAwsBuild(ec2, 'pub-failed', { verified: 'failed' });
  await t.throwsAsync(publishBuild(request('pub-failed', failed.manifestFile)), {
    message: /verification failed/,
  });
  for (const region of COPY_REGIONS) t.deepEqual(await ownResources(ec2Client(region)), EMPTY);
});

test.serial('audit findings refuse a public publish but allow a private one', async (t) => {
  const finding: AuditFinding = {
    kind: 'shell_history', path: '/root/.bash_history', detail: '12 lines',
  };
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-audit', { audit: [finding] });
  const error = await t.throwsAsync(publishBuild(request('pub-audit', build.manifestFile)), {
    instanceOf: VerifyError,
  });
  t.regex(error.message, /1 audit finding\(s\) \(shell_history\); refusing to make it public/);
  const privately = await publishBuild(request('pub-audit', build.manifestFile, {
    publish: { ...settings, public: false, accounts: [] },
    regions: ['us-west-2'],
  }));
  t.deepEqual(privately.regions.map((r) => r.origin), ['copied']);
});

test.serial('unknown block-public-access state needs --assume-unblocked', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-bpa');
  const error = await t.throwsAsync(
    publishBuild(request('pub-bpa', build.manifestFile, { assumeUnblocked: false })),
    { instanceOf: AwsError },
  );
  t.is(error.code, 'PublishPreflightFailed');
  t.is(error.message.split('\n').length, 1 + TARGETS.length, 'one line per region');
  t.regex(error.message, /us-west-2: the endpoint does not support GetImageBlockPublicAccessState/);
  for (const region of COPY_REGIONS) t.deepEqual(await ownResources(ec2Client(region)), EMPTY);
});

test.serial('a failure after copying removes this run\'s copies and records it', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-fail');
  // moto rejects a malformed account id at ModifyImageAttribute, after the copies exist.
  const broken = { ...settings, accounts: ['not-an-account'] };
  await t.throwsAsync(publishBuild(request('pub-fail', build.manifestFile, { publish: broken })), {
    instanceOf: AwsError,
  });
  for (const region of COPY_REGIONS) {
    t.deepEqual(await ownResources(ec2Client(region)), EMPTY, `${region} is empty`);
  }
  t.is((await describe(SOURCE_REGION, build.imageId)).ImageId, build.imageId, 'the source stays');
  const record = (await readManifest(build.manifestFile)).publish;
  t.is(record?.status, 'rolled_back');
  t.deepEqual(record?.amis, { [SOURCE_REGION]: build.imageId });
});

test.serial('--keep-partial keeps the copies of a failed publish and records them', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-keep');
  const broken = { ...settings, accounts: ['not-an-account'] };
  const change = { publish: broken, keepPartial: true };
  await t.throwsAsync(publishBuild(request('pub-keep', build.manifestFile, change)));
  const record = (await readManifest(build.manifestFile)).publish;
  t.is(record?.status, 'partial');
  t.deepEqual(Object.keys(record?.amis ?? {}).sort(), [...TARGETS].sort());
  for (const region of COPY_REGIONS) {
    t.is((await ownResources(ec2Client(region))).images.length, 1);
  }
});

async function firstCopyRegion(stillRunning: () => boolean): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && stillRunning()) {
    for (const region of COPY_REGIONS) {
      if ((await ownResources(ec2Client(region))).images.length > 0) return region;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

test.serial('SIGINT while copies are in flight removes them; the source stays', async (t) => {
  await writeSpec(file.dirs, 'pub-sigint');
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-sigint');
  t.is(await findAwsManifest('pub-sigint'), build.manifestFile, 'the newest build is found');
  // Polls every 5 s, so the CLI is waiting when the first copy shows up.
  const env = { ...process.env, AMIBAKE_PUBLISH_POLL_SECONDS: '5' };
  const cli = startCli(['publish', 'pub-sigint', '--assume-unblocked'], env);
  const seen = await firstCopyRegion(() => cli.child.exitCode === null);
  t.truthy(seen, `a copy appeared while the CLI ran; stderr: ${cli.stderr()}`);
  cli.child.kill('SIGINT');
  const { code, stderr } = await cli.done;
  t.is(code, 130, stderr);
  t.regex(stderr, /SIGINT received/);
  t.regex(stderr, /removed ami-/);
  for (const region of COPY_REGIONS) {
    t.deepEqual(await ownResources(ec2Client(region)), EMPTY, `${region} is empty`);
  }
  t.deepEqual((await ownResources(ec2Client(SOURCE_REGION))).images, [build.imageId]);
  const record = (await readManifest(build.manifestFile)).publish;
  t.is(record?.status, 'rolled_back');
  t.deepEqual(record?.amis, { [SOURCE_REGION]: build.imageId });
});

test.serial('the CLI publishes the newest build to --regions and prints JSON', async (t) => {
  await writeSpec(file.dirs, 'pub-cli');
  const older = newBuildId(new Date(Date.now() - 3_600_000));
  await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-cli', { buildId: older });
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pub-cli');
  const args = ['publish', 'pub-cli', '--regions', 'us-east-1,us-west-2', '--assume-unblocked'];
  const { code, stdout, stderr } = await startCli([...args, '--json']).done;
  t.is(code, 0, stderr);
  const outcome = JSON.parse(stdout) as { record: PublishRecord };
  t.is(outcome.record.status, 'published');
  t.deepEqual(Object.keys(outcome.record.amis), ['us-east-1', 'us-west-2']);
  t.is(outcome.record.amis['us-east-1'], build.imageId, 'the newest build is the one published');
  t.regex(stderr, /^region\s+ami\s+origin$/m);
  const bad = await startCli(['publish', 'pub-cli', '--regions', 'mars-1']).done;
  t.is(bad.code, 64);
  t.regex(bad.stderr, /--regions takes names like us-east-1,eu-west-1 \(bad: mars-1\)/);
});
