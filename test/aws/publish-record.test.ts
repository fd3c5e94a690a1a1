// What a publish leaves on record: the manifest's publish record lists every region that holds
// the build's AMI (also those of earlier runs), and the CLI copies it into the state store.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newBuildId, readManifest, writeManifest } from '../../src/bake/manifest.js';
import { ec2Client } from '../../src/aws/clients.js';
import { publishBuild, type PublishRequest } from '../../src/aws/publish.js';
import { checkTargetRegions } from '../../src/aws/publish-checks.js';
import { AwsError } from '../../src/errors.js';
import { openStateStore } from '../../src/state/store.js';
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

const file = useMotoPerFile({ resetEach: true });
const EXTRA = 'ap-southeast-2';
const settings: Publish = {
  public: false,
  regions: TARGETS,
  accounts: [SHARED_ACCOUNT],
  tags: { Project: 'amibake-test' },
};


function request(image: string, file: string, change: Partial<PublishRequest> = {}) {
  return { image, manifestFile: file, publish: settings, ...change };
}

test.serial('a publish to one more region keeps the regions published before', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'rec-more');
  const first = await publishBuild(request('rec-more', build.manifestFile));
  const extra = await publishBuild(request('rec-more', build.manifestFile, { regions: [EXTRA] }));
  t.deepEqual(extra.regions.map((r) => [r.region, r.origin]), [[EXTRA, 'copied']]);
  const record = (await readManifest(build.manifestFile)).publish;
  t.is(record?.status, 'published');
  t.deepEqual(record?.amis, { ...first.record.amis, [EXTRA]: extra.regions[0].imageId });
  for (const region of TARGETS) {
    t.is((await ownResources(ec2Client(region))).images.length, 1, `${region} still holds it`);
  }
});

test.serial('a failed publish to another region still lists the earlier regions', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'rec-fail');
  const first = await publishBuild(request('rec-fail', build.manifestFile));
  // moto rejects a malformed account id at ModifyImageAttribute, after the copy exists.
  const broken = { ...settings, accounts: ['not-an-account'] };
  const change = { publish: broken, regions: [EXTRA] };
  await t.throwsAsync(publishBuild(request('rec-fail', build.manifestFile, change)));
  t.deepEqual(await ownResources(ec2Client(EXTRA)), { images: [], snapshots: [] });
  const record = (await readManifest(build.manifestFile)).publish;
  t.is(record?.status, 'rolled_back');
  t.deepEqual(record?.amis, first.record.amis, 'the earlier copies exist and are listed');
});

test.serial('the CLI records the publish in the state store', async (t) => {
  const state = await mkdtemp(path.join(os.tmpdir(), 'amibake-pub-state-'));
  t.teardown(() => rm(state, { recursive: true, force: true }));
  await writeSpec(file.dirs, 'rec-cli', false);
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'rec-cli');
  const args = ['publish', 'rec-cli', '--regions', 'us-west-2', '--state', state, '--json'];
  const { code, stderr } = await startCli(args).done;
  t.is(code, 0, stderr);
  const stored = await (await openStateStore(state)).get('rec-cli', build.buildId);
  t.is(stored?.publish?.status, 'published');
  t.deepEqual(Object.keys(stored?.publish?.amis ?? {}), ['us-west-2']);
});

test.serial('a failed newest build is not published; the newest good one is named', async (t) => {
  await writeSpec(file.dirs, 'rec-newest', false);
  const older = newBuildId(new Date(Date.now() - 3_600_000));
  const good = await makeAwsBuild(ec2Client(SOURCE_REGION), 'rec-newest', { buildId: older });
  const failed = await makeAwsBuild(ec2Client(SOURCE_REGION), 'rec-newest');
  const manifest = await readManifest(failed.manifestFile);
  await writeManifest(failed.manifestFile, { ...manifest, status: 'failed', amis: {} });
  const { code, stderr } = await startCli(['publish', 'rec-newest', '--regions', 'us-west-2']).done;
  t.is(code, 64, stderr);
  t.regex(stderr, new RegExp(`${failed.buildId}, is failed; the newest that baked is ${older}`));
  t.regex(stderr, new RegExp(`amibake publish rec-newest --build ${good.buildId}`));
  t.deepEqual(await ownResources(ec2Client('us-west-2')), { images: [], snapshots: [] });
});

// moto reports no Encrypted flag on any image, so the image is described by hand here.
test.serial('an encrypted image is refused for a public publish before any copy', async (t) => {
  const source = {
    ImageId: 'ami-0e0c000000000e001',
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 8 } }],
  };
  const input = {
    regions: ['us-west-2'], source, goingPublic: true, sharedWithAccounts: false,
    assumeUnblocked: true,
  };
  const error = await t.throwsAsync(checkTargetRegions(input), { instanceOf: AwsError });
  t.is(error.code, 'PublishPreflightFailed');
  const refusal = /ami-0e0c000000000e001 has encrypted snapshots, which AWS cannot make public/;
  t.regex(error.message, refusal);
  t.is(error.hint, 'nothing was copied');
  const privately = { ...input, goingPublic: false, sharedWithAccounts: true };
  t.deepEqual(await checkTargetRegions(privately), {}, 'sharing it with accounts is allowed');
});
