// Prune and published AMIs: newer bakes never push out the AMI a region serves now, --regions
// reaches regions outside the spec, and a region name the account does not know is named.
import test from 'ava';
import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ec2Client } from '../../src/aws/clients.js';
import { prune, type PruneOutcome } from '../../src/aws/prune.js';
import { publishBuild } from '../../src/aws/publish.js';
import { AwsError, InterruptedError } from '../../src/errors.js';
import type { Publish } from '../../src/spec/types.js';
import {
  makeAwsBuild,
  ownResources,
  SOURCE_REGION,
  startCli,
  useMotoPerFile,
  writeSpec,
} from './aws-build-fixture.js';

const file = useMotoPerFile({ resetEach: true });
const settings: Publish = { public: false, regions: [SOURCE_REGION], tags: {} };


// moto stamps CreationDate to the second: each build waits for the next one.
async function nextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
}

async function exists(ec2: EC2Client, imageId: string): Promise<boolean> {
  const filter = { Name: 'image-id', Values: [imageId] };
  const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [filter] }));
  return (out.Images ?? []).length > 0;
}

function actions(outcome: PruneOutcome): Record<string, string> {
  return Object.fromEntries(outcome.entries.map((e) => [e.imageId, e.action]));
}

test.serial('newer unpublished bakes do not push out the published AMI', async (t) => {
  const ec2 = ec2Client(SOURCE_REGION);
  const published = await makeAwsBuild(ec2, 'pp-serving');
  const file = published.manifestFile;
  await publishBuild({ image: 'pp-serving', manifestFile: file, publish: settings });
  const newer: string[] = [];
  for (let n = 0; n < 2; n += 1) {
    await nextSecond();
    newer.unshift((await makeAwsBuild(ec2, 'pp-serving')).imageId);
  }
  const request = { image: 'pp-serving', regions: [SOURCE_REGION], keep: 1, apply: true };
  const outcome = await prune(request);
  t.deepEqual(actions(outcome), {
    [newer[0]]: 'keep',
    [newer[1]]: 'removed',
    [published.imageId]: 'spared',
  });
  const spared = outcome.entries.find((e) => e.imageId === published.imageId);
  t.is(spared?.reason, 'the newest published AMI in this region');
  t.true(await exists(ec2, published.imageId));
  t.false(await exists(ec2, newer[1]));
});

test.serial('once a newer build is published, the older published AMI may go', async (t) => {
  const ec2 = ec2Client(SOURCE_REGION);
  const older = await makeAwsBuild(ec2, 'pp-replaced');
  await publishBuild({ image: 'pp-replaced', manifestFile: older.manifestFile, publish: settings });
  await nextSecond();
  const newer = await makeAwsBuild(ec2, 'pp-replaced');
  await publishBuild({ image: 'pp-replaced', manifestFile: newer.manifestFile, publish: settings });
  const request = { image: 'pp-replaced', regions: [SOURCE_REGION], keep: 1, apply: false };
  t.deepEqual(actions(await prune(request)), {
    [newer.imageId]: 'keep',
    [older.imageId]: 'remove',
  });
});

test.serial('a misspelt or disabled region is named before anything is looked at', async (t) => {
  const request = { image: 'pp-typo', regions: ['us-east-1', 'us-est-1'], keep: 1, apply: true };
  const error = await t.throwsAsync(prune(request), { instanceOf: AwsError });
  t.is(error.code, 'UnknownRegion');
  t.regex(error.message, /unknown region us-est-1 \(did you mean us-east-1\?\)/);
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pp-typo');
  const optIn = { ...settings, regions: ['ap-east-1'] };
  const refused = await t.throwsAsync(
    publishBuild({ image: 'pp-typo', manifestFile: build.manifestFile, publish: optIn }),
    { instanceOf: AwsError },
  );
  t.regex(refused.message, /region ap-east-1 is not enabled for this account/);
});

test.serial('prune --regions reaches a region the spec does not list', async (t) => {
  await writeSpec(file.dirs, 'pp-extra', false, 1);
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'pp-extra');
  const extra = { ...settings, regions: ['ca-central-1'] };
  await publishBuild({ image: 'pp-extra', manifestFile: build.manifestFile, publish: extra });
  const args = ['prune', 'pp-extra', '--keep', '1', '--regions', 'ca-central-1', '--json'];
  const { code, stdout, stderr } = await startCli(args).done;
  t.is(code, 0, stderr);
  const outcome = JSON.parse(stdout) as PruneOutcome;
  t.deepEqual(outcome.entries.map((e) => [e.region, e.action]), [['ca-central-1', 'keep']]);
  const typoArgs = ['prune', 'pp-extra', '--keep', '1', '--regions', 'ca-centrl-1'];
  const typo = await startCli(typoArgs).done;
  t.is(typo.code, 5);
  t.regex(typo.stderr, /unknown region ca-centrl-1 \(did you mean ca-central-1\?\)/);
});

test.serial('a signal during --apply stops after the AMI at hand, snapshots included', async (t) => {
  const ec2 = ec2Client(SOURCE_REGION);
  const ids: string[] = [];
  for (let n = 0; n < 4; n += 1) {
    if (n > 0) await nextSecond();
    ids.unshift((await makeAwsBuild(ec2, 'pp-signal')).imageId);
  }
  const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [ids[1]] }));
  const snapshot = described.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
  const stop = new AbortController();
  // The signal arrives while the first removal is being logged, i.e. mid-run.
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (String(chunk).startsWith('prune us-east-1: removed')) stop.abort();
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  t.teardown(() => {
    process.stderr.write = write;
  });
  const request = {
    image: 'pp-signal', regions: [SOURCE_REGION], keep: 1, apply: true, signal: stop.signal,
  };
  const error = await t.throwsAsync(prune(request), { instanceOf: InterruptedError });
  t.regex(error.message, /after removing 1 of 3 AMI\(s\); the rest remain/);
  const left = await Promise.all(ids.map((id) => exists(ec2, id)));
  t.deepEqual(left, [true, false, true, true], 'the newest is kept, one removed, two remain');
  const snapshots = (await ownResources(ec2)).snapshots;
  t.true(snapshot.startsWith('snap-'));
  t.false(snapshots.includes(snapshot), 'the removed AMI went with its snapshot');
});
