// A real `packer build` (Debian's Packer, amazon-ebs) of every seed spec against moto, with
// communicator "none" since moto's instances cannot be reached: AMIs parsed and present.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { motoEnv, startMoto, type MotoServer, type SeedImage } from '../helpers/moto.js';
import { runCli } from '../helpers/cli.js';
import type { BuildManifest } from '../../src/manifest-types.js';

const CANONICAL = '099720109477';

// The seed specs pin Canonical's 2009 instance-store bases, as published then; amazon-ebs
// cannot build from those, so each spec is also baked from an EBS-backed stand-in (--base-ami).
const faithful = (id: string, name: string, arch: 'x86_64' | 'i386'): SeedImage =>
  ({ id, name, owner: CANONICAL, arch, virtualization: 'paravirtual', rootDevice: 'instance-store' });
const ebsStandIn = (id: string, arch: 'x86_64' | 'i386'): SeedImage =>
  ({ id, name: `stand-in-${arch}-ebs`, owner: CANONICAL, arch, virtualization: 'paravirtual', rootDevice: 'ebs' });

const SEEDS: SeedImage[] = [
  faithful('ami-0a1b2c3d4e5f60001', 'ubuntu-images-us/ubuntu-hardy-8.04-amd64-server-20091130', 'x86_64'),
  faithful('ami-0a1b2c3d4e5f60002', 'ubuntu-images-us/ubuntu-intrepid-8.10-amd64-server-20090422', 'x86_64'),
  faithful('ami-0a1b2c3d4e5f60003', 'ubuntu-images-us/ubuntu-intrepid-8.10-i386-server-20090422', 'i386'),
  ebsStandIn('ami-0e0000000000000a1', 'x86_64'),
  ebsStandIn('ami-0e0000000000000a2', 'i386'),
];

let moto: MotoServer;
let env: Record<string, string>;

test.before(async () => {
  moto = await startMoto({ images: SEEDS });
  Object.assign(process.env, motoEnv(moto.endpoint));
  env = { ...process.env } as Record<string, string>;
  env.AMIBAKE_BUILD_DIR = await mkdtemp(path.join(os.tmpdir(), 'amibake-aws-bake-'));
  env.AWS_REGION = 'us-east-1';
});

test.after.always(async () => {
  await moto?.stop();
});

const amibake = (args: string[]) => runCli(args, env);

const refusesInstanceStore = test.macro({
  async exec(t, image: string, faithfulBase: string) {
    const { code, stderr } = await amibake(['bake', image, '--target', 'aws', '--no-provision']);
    t.is(code, 5, stderr.slice(-2000));
    t.regex(stderr, /preflight for .+ failed/);
    t.regex(stderr, /is instance-store-backed: Packer's amazon-ebs builds only from EBS-backed AMIs/);
    t.notRegex(stderr, /==> packer/);
    t.regex(stderr, new RegExp(faithfulBase));
  },
  title: (_, image: string) => `${image}'s own 2009 base is refused in preflight, before Packer`,
});

const bakesAgainstMoto = test.macro({
  async exec(t, image: string, expectedBase: string) {
    const args = ['bake', image, '--target', 'aws', '--no-provision', '--json', '--base-ami', expectedBase];
    const { code, stdout, stderr } = await amibake(args);
    t.is(code, 0, stderr.slice(-2000));
    const manifest = JSON.parse(stdout) as BuildManifest;
    t.is(manifest.status, 'succeeded');
    t.deepEqual(manifest.base.ami, { 'us-east-1': expectedBase });
    const ami = manifest.amis?.['us-east-1'];
    t.regex(ami ?? '', /^ami-[0-9a-f]+$/);

    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint });
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [ami!] }));
    t.is(Images.length, 1);
    const tags = Object.fromEntries((Images[0].Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    t.is(tags['amibake:image'], image);
    t.is(tags['amibake:build-id'], manifest.build_id);
    t.is(tags['amibake:base-ami'], expectedBase);
  },
  title: (_, image: string) => `${image} bakes with Packer against moto and its AMI exists, tagged`,
});

test.serial(refusesInstanceStore, 'ubuntu804-lamp', 'ami-0a1b2c3d4e5f60001');
test.serial(refusesInstanceStore, 'drizzle-intrepid-dev32', 'ami-0a1b2c3d4e5f60003');
test.serial(bakesAgainstMoto, 'ubuntu804-lamp', 'ami-0e0000000000000a1');
test.serial(bakesAgainstMoto, 'wafflegrid', 'ami-0e0000000000000a1');
test.serial(bakesAgainstMoto, 'drizzle-dev64', 'ami-0e0000000000000a1');
test.serial(bakesAgainstMoto, 'drizzle-intrepid-dev32', 'ami-0e0000000000000a2');

test.serial('a stand-in of the wrong architecture is refused in preflight', async (t) => {
  const args = ['bake', 'drizzle-intrepid-dev32', '--target', 'aws', '--no-provision', '--base-ami', 'ami-0e0000000000000a1'];
  const { code, stderr } = await amibake(args);
  t.is(code, 5);
  t.regex(stderr, /base AMI ami-0e0000000000000a1 is x86_64, not i386/);
});

test.serial('a base that no longer resolves fails in preflight, naming the filter and the note', async (t) => {
  await moto.stop();
  moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
  env = { ...env, ...motoEnv(moto.endpoint) };
  const { code, stderr } = await amibake(['bake', 'ubuntu804-lamp', '--target', 'aws', '--no-provision']);
  t.is(code, 5);
  t.regex(stderr, /ubuntu-hardy-8\.04-amd64-server-\*/);
  t.regex(stderr, /not expected to resolve today/);
  t.notRegex(stderr, /==> packer/);
});
