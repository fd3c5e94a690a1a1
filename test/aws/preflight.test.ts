import test from 'ava';
import { AwsError } from '../../src/errors.js';
import {
  amiNameProblem,
  assertPreflight,
  runPreflight,
  type PreflightInput,
} from '../../src/aws/preflight.js';
import { ec2Client } from '../../src/aws/clients.js';
import type { AwsBase } from '../../src/spec/types.js';
import { motoEnv, registerImage, startMoto, type MotoServer } from '../helpers/moto.js';

// Undated seeds load in every region and survive a reset, so tests may share one server.
const DEBIAN = '136693071363';
let moto: MotoServer;

test.before(async () => {
  moto = await startMoto({
    images: [
      { id: 'ami-00000000000000b01', name: 'debian-12-amd64-base', owner: DEBIAN, arch: 'x86_64' },
      { id: 'ami-00000000000000b02', name: 'debian-12-arm64-base', owner: DEBIAN, arch: 'arm64' },
      {
        id: 'ami-00000000000000b03', name: 'debian-12-amd64-pv', owner: DEBIAN, arch: 'x86_64',
        virtualization: 'paravirtual',
      },
    ],
  });
  Object.assign(process.env, motoEnv(moto.endpoint));
});

test.after.always(async () => {
  await moto?.stop();
});

const BASE: AwsBase = {
  owners: [DEBIAN],
  name_filter: 'debian-12-amd64-*',
  virtualization: 'hvm',
  root_device: 'ebs',
  distro: 'debian',
};

function input(change: Partial<PreflightInput> = {}): PreflightInput {
  return {
    image: 'lamp',
    base: BASE,
    arch: 'x86_64',
    instanceType: 't3.micro',
    buildRegion: 'us-east-1',
    amiName: 'amibake-lamp-20260101t000000-abcdef',
    targetRegions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    encrypted: false,
    public: true,
    ...change,
  };
}

test('a sound spec passes and returns the resolved base AMI', async (t) => {
  const report = await runPreflight(input());
  t.deepEqual(report.problems, []);
  t.is(assertPreflight('lamp', report).imageId, 'ami-00000000000000b01');
});

test('an instance type of another architecture is refused, though moto would run it', async (t) => {
  const report = await runPreflight(input({ instanceType: 't4g.micro' }));
  t.deepEqual(report.problems, [
    'instance type t4g.micro runs arm64, not x86_64: pick an instance type of that architecture',
  ]);
  const armBase = { ...BASE, name_filter: 'debian-12-arm64-*' };
  const arm = await runPreflight(
    input({ arch: 'arm64', instanceType: 't4g.micro', base: armBase }),
  );
  t.deepEqual(arm.problems, []);
});

test('a paravirtual base needs an instance type that runs paravirtual guests', async (t) => {
  const base: AwsBase = {
    ...BASE, name_filter: 'debian-12-amd64-pv', virtualization: 'paravirtual',
  };
  const report = await runPreflight(input({ base, instanceType: 't3.micro' }));
  t.deepEqual(report.problems, [
    'instance type t3.micro supports hvm virtualization, not paravirtual',
  ]);
  t.deepEqual((await runPreflight(input({ base, instanceType: 'm1.small' }))).problems, []);
});

test('an unknown instance type is named', async (t) => {
  const report = await runPreflight(input({ instanceType: 'x9.nano' }));
  t.deepEqual(report.problems, ['instance type x9.nano does not exist in us-east-1']);
});

test('an AMI name already used in one target region is reported for that region', async (t) => {
  const name = 'amibake-lamp-taken';
  const taken = await registerImage(ec2Client('us-west-2'), {
    name, arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
  });
  const report = await runPreflight(input({ amiName: name }));
  t.deepEqual(report.problems, [
    `AMI name "${name}" is already used by ${taken} in us-west-2: change the name or prune it`,
  ]);
});

test('an invalid AMI name is refused without asking AWS', (t) => {
  t.is(amiNameProblem('amibake-lamp (2026) [x86_64]'), undefined);
  t.regex(amiNameProblem('ab') ?? '', /is invalid/);
  t.regex(amiNameProblem('lamp:{{timestamp}}') ?? '', /is invalid/);
  t.regex(amiNameProblem('x'.repeat(129)) ?? '', /is invalid/);
});

test('every problem is reported at once, one line each, and nothing is started', async (t) => {
  const note = 'Canonical keeps 2 years of images';
  const report = await runPreflight(input({
    amiName: 'no',
    encrypted: true,
    public: true,
    instanceType: 't4g.micro',
    base: { ...BASE, name_filter: 'ubuntu-*', availability_note: note },
  }));
  t.is(report.problems.length, 4);
  t.regex(report.problems[0], /AMI name "no" is invalid/);
  t.regex(report.problems[1], /encrypted AMI cannot be public/);
  t.regex(report.problems[2], /^base AMI: .*us-east-1.*name "ubuntu-\*"/);
  t.true(report.problems[2].endsWith(`(${note})`), 'the availability note is on the line');
  t.regex(report.problems[3], /t4g\.micro runs arm64/);
  for (const line of report.problems) t.false(line.includes('\n'));
  const error = t.throws(() => assertPreflight('lamp', report), { instanceOf: AwsError });
  t.is(error.message.split('\n').length, 5);
  t.is(error.code, 'PreflightFailed');
});
