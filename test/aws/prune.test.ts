import test from 'ava';
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { ec2Client } from '../../src/aws/clients.js';
import { prune, pruneTable, type PruneOutcome } from '../../src/aws/prune.js';
import { motoEnv, registerImage, startMoto, type MotoServer } from '../helpers/moto.js';
import { startCli, useTempDirs, writeSpec, type Dirs } from './aws-build-fixture.js';

// One server for the file; each test works on its own image name, so tests cannot see each
// other's AMIs (prune only looks at amibake:image=NAME) and need no reset.
let moto: MotoServer;
let dirs: Dirs;
const REGION = 'us-east-1';

test.before(async () => {
  moto = await startMoto({ images: [] });
  Object.assign(process.env, motoEnv(moto.endpoint));
  dirs = await useTempDirs();
});

test.after.always(async () => {
  await moto?.stop();
  await dirs?.cleanup();
});

// moto stamps CreationDate to the second, so each AMI waits for the next second. Returns the
// ids newest first.
async function registerSeries(ec2: EC2Client, image: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    if (n > 1) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    ids.push(await registerImage(ec2, {
      name: `amibake-${image}-${n}`, arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
      tags: { 'amibake:image': image, 'amibake:build-id': `build-${n}` },
    }));
  }
  return ids.reverse();
}

async function exists(ec2: EC2Client, imageId: string): Promise<boolean> {
  const filter = { Name: 'image-id', Values: [imageId] };
  const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [filter] }));
  return (out.Images ?? []).length > 0;
}

async function snapshotOf(ec2: EC2Client, imageId: string): Promise<string> {
  const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  return out.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
}

async function snapshotExists(ec2: EC2Client, snapshotId: string): Promise<boolean> {
  const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return (out.Snapshots ?? []).some((s) => s.SnapshotId === snapshotId);
}

async function launch(ec2: EC2Client, imageId: string): Promise<string> {
  const command = new RunInstancesCommand({
    ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro',
  });
  return (await ec2.send(command)).Instances?.[0]?.InstanceId ?? '';
}

function actions(outcome: PruneOutcome): Record<string, string> {
  return Object.fromEntries(outcome.entries.map((e) => [e.imageId, e.action]));
}

test('a dry run lists what it would remove and removes nothing', async (t) => {
  const ec2 = ec2Client(REGION);
  const ids = await registerSeries(ec2, 'prune-dry', 4);
  const outcome = await prune({ image: 'prune-dry', regions: [REGION], keep: 2, apply: false });
  t.deepEqual(actions(outcome), {
    [ids[0]]: 'keep', [ids[1]]: 'keep', [ids[2]]: 'remove', [ids[3]]: 'remove',
  });
  for (const id of ids) t.true(await exists(ec2, id));
  const table = pruneTable(outcome);
  t.regex(table[0], /^region\s+ami\s+build\s+created\s+action\s+why$/);
  t.is(table.filter((l) => l.includes('would remove')).length, 2);
});

test('apply keeps the newest N, spares an AMI in use, deletes snapshots after AMIs', async (t) => {
  const ec2 = ec2Client(REGION);
  const ids = await registerSeries(ec2, 'prune-apply', 5);
  const foreign = await registerImage(ec2, {
    name: 'not-amibake', arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
  });
  const other = await registerSeries(ec2, 'prune-other', 1);
  const instance = await launch(ec2, ids[3]);
  const snapshots = await Promise.all(ids.map((id) => snapshotOf(ec2, id)));

  const outcome = await prune({ image: 'prune-apply', regions: [REGION], keep: 2, apply: true });
  t.deepEqual(actions(outcome), {
    [ids[0]]: 'keep',
    [ids[1]]: 'keep',
    [ids[2]]: 'removed',
    [ids[3]]: 'spared',
    [ids[4]]: 'removed',
  });
  const spared = outcome.entries.find((e) => e.imageId === ids[3]);
  t.is(spared?.reason, `used by instance ${instance} (running)`);
  const left = await Promise.all(ids.map((id) => exists(ec2, id)));
  t.deepEqual(left, [true, true, false, true, false]);
  const snapshotsLeft = await Promise.all(snapshots.map((s) => snapshotExists(ec2, s)));
  t.deepEqual(snapshotsLeft, [true, true, false, true, false]);
  t.true(await exists(ec2, foreign), 'an untagged AMI is never touched');
  t.true(await exists(ec2, other[0]), 'another image\'s AMI is never touched');
});

test('stopped instances and launch templates protect AMIs; terminated ones do not', async (t) => {
  const ec2 = ec2Client(REGION);
  const ids = await registerSeries(ec2, 'prune-uses', 4);
  const stopped = await launch(ec2, ids[1]);
  await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
  const gone = await launch(ec2, ids[2]);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [gone] }));
  await ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: 'prune-uses-web',
    LaunchTemplateData: { ImageId: ids[3], InstanceType: 't3.micro' },
  }));
  const outcome = await prune({ image: 'prune-uses', regions: [REGION], keep: 1, apply: false });
  t.deepEqual(actions(outcome), {
    [ids[0]]: 'keep', [ids[1]]: 'spared', [ids[2]]: 'remove', [ids[3]]: 'spared',
  });
  const reasons = Object.fromEntries(outcome.entries.map((e) => [e.imageId, e.reason]));
  t.is(reasons[ids[1]], `used by instance ${stopped} (stopped)`);
  const template = /^used by launch template prune-uses-web \((latest|default) version 1\)$/;
  t.regex(reasons[ids[3]], template);
});

test('--older-than spares AMIs that are not old enough; every region is pruned', async (t) => {
  const east = await registerSeries(ec2Client(REGION), 'prune-age', 2);
  const west = await registerSeries(ec2Client('us-west-2'), 'prune-age', 2);
  const request = {
    image: 'prune-age', regions: [REGION, 'us-west-2'], keep: 1, olderThanDays: 1, apply: false,
  };
  const young = await prune(request);
  t.deepEqual(young.entries.map((e) => e.action).sort(), ['keep', 'keep', 'spared', 'spared']);
  const old = await prune({ ...request, now: new Date(Date.now() + 3 * 86_400_000) });
  t.deepEqual(actions(old), {
    [east[0]]: 'keep', [east[1]]: 'remove', [west[0]]: 'keep', [west[1]]: 'remove',
  });
});

test('the CLI prunes with the spec\'s retention and prints JSON with --json', async (t) => {
  await writeSpec(dirs, 'prune-cli', false, 1);
  const ids = await registerSeries(ec2Client(REGION), 'prune-cli', 2);
  const { code, stdout, stderr } = await startCli(['prune', 'prune-cli', '--apply', '--json']).done;
  t.is(code, 0, stderr);
  const outcome = JSON.parse(stdout) as PruneOutcome;
  t.true(outcome.applied);
  t.deepEqual(actions(outcome), { [ids[0]]: 'keep', [ids[1]]: 'removed' });
  t.regex(stderr, /removed 1 AMI\(s\)/);
  t.false(await exists(ec2Client(REGION), ids[1]));
});
