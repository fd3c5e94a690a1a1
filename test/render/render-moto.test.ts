// A rendered amazon-ebs build, run by Packer against a private moto_server: the base is found
// through source_ami_filter and Packer fills {{ .SourceAMI }} into the tags.
import test from 'ava';
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { renderBuild } from '../../src/render/render.js';
import { startMoto, motoEnv, type MotoServer } from '../helpers/moto.js';
import { contextFor, hasCommand, loadFixture, packer166, run, tempDir } from './fixtures.js';

const BASE_ID = 'ami-0fa1de0000000jam';
const ready = hasCommand('packer') && hasCommand('moto_server');
if (!ready) console.error('render-moto: packer or moto_server is missing; the test is skipped');

let moto: MotoServer | undefined;

test.before(async () => {
  if (!ready) return;
  moto = await startMoto({
    images: [
      {
        id: BASE_ID,
        name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101',
        owner: '099720109477',
        arch: 'x86_64',
      },
      // Same name pattern, wrong architecture: the filter must not pick it.
      {
        id: 'ami-0a4b000000000arm',
        name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250101',
        owner: '099720109477',
        arch: 'arm64',
      },
    ],
  });
  // The SDK in this test process talks to moto only, with moto's fake credentials.
  Object.assign(process.env, motoEnv(moto.endpoint));
});

test.after.always(async () => {
  await moto?.stop();
});

(ready ? test : test.skip)('Packer bakes the rendered aws build and tags it with its base', async (t) => {
  const server = moto as MotoServer;
  const root = await tempDir('render-moto');
  const ctx = await contextFor('aws', root, packer166, { noProvision: true });
  ctx.aws = {
    region: 'us-east-1',
    regions: ['us-east-1'],
    toolVersion: '0.1.0',
    endpointEc2: server.endpoint,
  };
  const result = await renderBuild(await loadFixture('lamp'), ctx);
  const env = { PATH: process.env.PATH, HOME: root, ...motoEnv(server.endpoint) };
  const build = await run('packer', ['build', '-machine-readable', 'build.pkr.hcl'], {
    env,
    cwd: result.dir,
    timeout: 300_000,
  }).catch((e) => e);
  t.is(build.code ?? 0, 0, String(build.stdout ?? '').slice(-2000));
  const artifact = /artifact,0,id,us-east-1:(ami-[0-9a-f]+)/.exec(build.stdout ?? '');
  t.truthy(artifact, 'Packer printed the AMI id');

  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: server.endpoint });
  const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [artifact?.[1] ?? ''] }));
  const image = images.Images?.[0];
  t.is(image?.Name, result.amiName);
  const tags = Object.fromEntries((image?.Tags ?? []).map((x) => [x.Key, x.Value]));
  t.is(tags['amibake:base-ami'], BASE_ID);
  t.is(tags['amibake:image'], 'lamp');
  t.is(tags['cost center'], 'R&D "core"');
  const snapshotId = image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
  const snapshots = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
  const snapshotTags = snapshots.Snapshots?.[0]?.Tags ?? [];
  t.true(snapshotTags.some((x) => x.Key === 'amibake:base-ami' && x.Value === BASE_ID));
});
