import test from 'ava';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { AwsError } from '../../src/errors.js';
import { resolveBaseAmi, resolveBaseAmis } from '../../src/aws/base-ami.js';
import { ec2Client, ssmClient } from '../../src/aws/clients.js';
import type { AwsBase } from '../../src/spec/types.js';
import {
  motoEnv,
  registerImage,
  startMoto,
  type MotoServer,
  type SeedImage,
} from '../helpers/moto.js';

// Dated seeds load into one region only (see SeedImage), so every test here stays in us-east-1
// and the server is never reset; the tests only read, apart from SSM parameters of their own.
const DEBIAN = '136693071363';
const OTHER = '111122223333';
const REGION = 'us-east-1';

// ami-...a0N, named debian-12-<arch>-<date>-N, made at 10:00 UTC on that date.
function seed(n: number, arch: string, date: string, extra: Partial<SeedImage> = {}): SeedImage {
  const name = `debian-12-${arch}-${date.replace(/-/g, '')}-${n}`;
  const id = `ami-00000000000000a0${n}`;
  const creationDate = `${date}T10:00:00.000Z`;
  return { id, name, owner: DEBIAN, arch: 'x86_64', creationDate, ...extra };
}

const SEEDS: SeedImage[] = [
  seed(1, 'amd64', '2024-01-01'),
  seed(2, 'amd64', '2024-06-01'),
  seed(3, 'amd64', '2024-03-01'),
  seed(4, 'arm64', '2024-09-01', { arch: 'arm64' }),
  seed(5, 'amd64', '2024-09-02', { virtualization: 'paravirtual' }),
  seed(6, 'amd64', '2024-09-03', { rootDevice: 'instance-store' }),
  seed(7, 'amd64', '2024-12-01', { owner: OTHER }),
  seed(8, 'i386', '2024-01-01', { arch: 'i386' }),
];

const base: AwsBase = {
  owners: [DEBIAN],
  name_filter: 'debian-12-*',
  virtualization: 'hvm',
  root_device: 'ebs',
  distro: 'debian',
  availability_note: 'Debian publishes bookworm images monthly; old ones are deprecated',
};

let moto: MotoServer;

test.before(async () => {
  moto = await startMoto({ images: SEEDS });
  Object.assign(process.env, motoEnv(moto.endpoint));
});

test.after.always(async () => {
  await moto?.stop();
});

async function putParameter(name: string, value: string): Promise<void> {
  const put = new PutParameterCommand({
    Name: name, Value: value, Type: 'String', Overwrite: true,
  });
  await ssmClient(REGION).send(put);
}

test('the resolver picks the newest image of the pinned owner with the right shape', async (t) => {
  const ami = await resolveBaseAmi(base, 'x86_64', REGION);
  t.deepEqual(ami, {
    imageId: 'ami-00000000000000a02',
    name: 'debian-12-amd64-20240601-2',
    creationDate: '2024-06-01T10:00:00.000Z',
    ownerId: DEBIAN,
  });
});

test('the architecture picks among images of the same name filter', async (t) => {
  t.is((await resolveBaseAmi(base, 'arm64', REGION)).imageId, 'ami-00000000000000a04');
  t.is((await resolveBaseAmi(base, 'i386', REGION)).imageId, 'ami-00000000000000a08');
});

test('pinning the other owner finds its newer image instead', async (t) => {
  const ami = await resolveBaseAmi({ ...base, owners: [OTHER] }, 'x86_64', REGION);
  t.is(ami.imageId, 'ami-00000000000000a07');
  t.is(ami.ownerId, OTHER);
});

test('no match names the region, owners, filter and the availability note', async (t) => {
  const error = await t.throwsAsync(
    resolveBaseAmi({ ...base, name_filter: 'debian-13-*' }, 'x86_64', REGION),
    { instanceOf: AwsError },
  );
  t.regex(error.message, /us-east-1/);
  t.regex(error.message, /136693071363/);
  t.regex(error.message, /name "debian-13-\*"/);
  t.is(error.hint, base.availability_note);
  t.is(error.code, 'BaseAmiNotFound');
});

function resolveBySsm(parameter: string) {
  return resolveBaseAmi({ ...base, ssm_parameter: parameter }, 'x86_64', REGION);
}

test('an SSM parameter names the AMI even when a newer one exists', async (t) => {
  await putParameter('/amibake/test/debian-12', 'ami-00000000000000a01');
  const ami = await resolveBySsm('/amibake/test/debian-12');
  t.is(ami.imageId, 'ami-00000000000000a01');
});

test('an SSM parameter naming another owner\'s image is refused', async (t) => {
  await putParameter('/amibake/test/foreign', 'ami-00000000000000a07');
  const error = await t.throwsAsync(
    resolveBaseAmi({ ...base, ssm_parameter: '/amibake/test/foreign' }, 'x86_64', REGION),
    { instanceOf: AwsError },
  );
  t.regex(error.message, /ami-00000000000000a07 is owned by 111122223333, not a pinned owner/);
});

test('a registered image of our own account is refused when another owner is pinned', async (t) => {
  const own = await registerImage(ec2Client(REGION), {
    name: 'debian-12-amd64-own', arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
  });
  await putParameter('/amibake/test/own', own);
  const error = await t.throwsAsync(
    resolveBaseAmi({ ...base, ssm_parameter: '/amibake/test/own' }, 'x86_64', REGION),
  );
  t.regex(error.message, new RegExp(`${own} is owned by 123456789012`));
  const self = { ...base, owners: ['self'], ssm_parameter: '/amibake/test/own' };
  const shape = await t.throwsAsync(resolveBaseAmi(self, 'x86_64', REGION));
  t.regex(shape.message, /has architecture unknown, not x86_64/, 'moto drops the architecture');
});

test('an SSM parameter with a wrong architecture, a bad value or none at all fails', async (t) => {
  await putParameter('/amibake/test/arm', 'ami-00000000000000a04');
  const arm = await t.throwsAsync(resolveBySsm('/amibake/test/arm'));
  t.regex(arm.message, /has architecture arm64, not x86_64/);
  await putParameter('/amibake/test/garbage', 'latest');
  const garbage = await t.throwsAsync(resolveBySsm('/amibake/test/garbage'));
  t.regex(garbage.message, /holds "latest", not an AMI id/);
  const missing = await t.throwsAsync(resolveBySsm('/amibake/test/none'));
  t.regex(missing.message, /the parameter does not exist/);
});

test('the batched resolver calls DescribeImages once per distinct lookup', async (t) => {
  const requests = [
    { base, arch: 'x86_64' as const, region: REGION },
    { base: { ...base, owners: [...base.owners] }, arch: 'x86_64' as const, region: REGION },
    { base, arch: 'arm64' as const, region: REGION },
    { base, arch: 'x86_64' as const, region: REGION },
    { base: { ...base, name_filter: 'debian-13-*' }, arch: 'x86_64' as const, region: REGION },
  ];
  const { results, calls } = await resolveBaseAmis(requests);
  t.deepEqual(calls, { describeImages: 3, getParameter: 0 });
  const ids = results.map((r) => (r instanceof AwsError ? 'error' : r.imageId));
  t.deepEqual(ids, [
    'ami-00000000000000a02', 'ami-00000000000000a02', 'ami-00000000000000a04',
    'ami-00000000000000a02', 'error',
  ]);
});
