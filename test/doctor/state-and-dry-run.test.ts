// doctor's state check against moto (enforcement off), and its refusal to probe an endpoint
// that carries out DryRun calls.
import test from 'ava';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { resetClients, s3Client } from '../../src/aws/clients.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { stateCheck } from '../../src/doctor/state-check.js';
import { motoEnv, startMoto, type MotoServer } from '../helpers/moto.js';
import { startIgnoringEndpoint } from './ignoring-endpoint.js';

let moto: MotoServer;

test.before(async () => {
  moto = await startMoto({ images: [] });
  Object.assign(process.env, motoEnv(moto.endpoint));
  resetClients();
  await s3Client('us-east-1').send(new CreateBucketCommand({ Bucket: 'amibake-state' }));
});

test.after.always(async () => {
  await moto?.stop();
});

test.serial('an existing bucket and prefix is reachable', async (t) => {
  const result = await stateCheck('s3://amibake-state/teams/images', 'us-east-1');
  t.is(result.status, 'ok');
  t.is(result.finding,
    's3://amibake-state/teams/images is reachable (listing under the prefix is allowed)');
});

test.serial('a missing bucket fails, naming it and how to create it', async (t) => {
  const result = await stateCheck('s3://no-such-state/p', 'us-east-1');
  t.is(result.status, 'fail');
  t.is(result.finding, 'the bucket no-such-state does not exist');
  t.regex(result.remedy ?? '', /aws s3 mb s3:\/\/no-such-state/);
});

test.serial('a local state directory must be, or be creatable as, a writable dir', async (t) => {
  const result = await stateCheck('/tmp/amibake-doctor-test/state', undefined);
  t.is(result.status, 'ok');
  t.regex(result.finding, /will be created under \/tmp and is writable$/);
  const blocked = await stateCheck(`${process.execPath}/state`, undefined);
  t.is(blocked.status, 'fail');
  const node = process.execPath;
  t.is(blocked.finding, `${node} is a file, so ${node}/state cannot be a directory`);
});

test.serial('an endpoint that ignores DryRun is not probed: each probe says so', async (t) => {
  const standIn = await startIgnoringEndpoint();
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = standIn.endpoint;
  resetClients();
  try {
    const results = await runDoctor({ target: 'aws' });
    const probes = results.filter((r) => r.check.startsWith('dry run '));
    t.is(probes.length, 4);
    for (const probe of probes) {
      t.is(probe.status, 'warn');
      t.is(probe.finding,
        'could not probe: the endpoint ignored DryRun (DescribeRegions succeeded)');
    }
    t.deepEqual([...new Set(standIn.actions)].sort(),
      ['DescribeImages', 'DescribeRegions', 'GetCallerIdentity'],
      'no RunInstances, CreateImage, CopyImage or ModifyImageAttribute was sent');
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
    resetClients();
    await standIn.stop();
  }
});
