// The main job for real: the demo image baked in a real VM, booted, smoke-tested (Sakila count
// 1000) and audited; a wrong expectation fails with expected vs actual; and an aws bake whose
// provisioners run over SSH on a local VM standing in for the build instance.
import test from 'ava';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { repoRoot } from '../../src/paths.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import { ensureBase, defaultRecipe } from '../../src/local/base.js';
import { detectAccelerator } from '../../src/local/accel.js';
import { withVm } from '../../src/local/vm.js';
import { motoEnv, startMoto } from '../helpers/moto.js';
import { runCli } from '../helpers/cli.js';

const sakilaMirror = process.env.AMIBAKE_SOURCE_MIRROR || path.join(repoRoot, '..', 'shared', 'data', 'sakila');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'e2e');

let env: NodeJS.ProcessEnv;
let baked: BuildManifest | undefined;

test.before(async () => {
  const buildRoot = await mkdtemp(path.join(os.tmpdir(), 'amibake-demo-'));
  env = { ...process.env, AMIBAKE_BUILD_DIR: buildRoot, AMIBAKE_SOURCE_MIRROR: sakilaMirror };
});

test.serial('make image bakes the demo image in a real VM and verifies it', async (t) => {
  const result = await runCli(['image', 'ubuntu804-lamp', '--json'], env);
  t.is(result.code, 0, result.stderr.slice(-4000));
  baked = JSON.parse(result.stdout) as BuildManifest;
  t.is(baked.status, 'succeeded');
  t.is(baked.verification?.status, 'passed');
  const sakila = baked.verification?.results.find((r) => r.name === 'sakila-film-count');
  t.is(sakila?.actual, '1000');
  t.deepEqual(baked.verification?.audit, [], 'a public image carries nothing private');
  t.deepEqual(baked.artifacts.map((a) => a.file).sort(), ['disk.qcow2', 'initrd.img', 'vmlinuz']);
  for (const artifact of baked.artifacts) t.regex(artifact.sha256, /^[0-9a-f]{64}$/);
  t.regex(result.stderr, /5 of 5 smoke tests passed/);
});

test.serial('a spec expecting 1001 films fails verification showing expected and actual', async (t) => {
  if (!baked) return t.fail('the demo bake did not succeed');
  const images = await mkdtemp(path.join(os.tmpdir(), 'amibake-images-'));
  await cp(path.join(repoRoot, 'images'), images, { recursive: true });
  const spec = path.join(images, 'ubuntu804-lamp.yaml');
  await writeFile(spec, (await readFile(spec, 'utf8')).replace('expect: "1000"', 'expect: "1001"'));
  const result = await runCli(['verify', 'ubuntu804-lamp', '--build', baked.build_id, '--json'], {
    ...env,
    AMIBAKE_IMAGES_DIR: images,
  });
  t.is(result.code, 1, result.stderr.slice(-3000));
  t.regex(result.stderr, /FAIL\s+sakila-film-count\s+sql\s+1001\s+1000/);
  const verification = JSON.parse(result.stdout) as { status: string; results: Array<{ name: string; expected: string; actual: string }> };
  t.is(verification.status, 'failed');
  t.like(verification.results.find((r) => r.name === 'sakila-film-count'), { expected: '1001', actual: '1000' });
});

test.serial('an aws bake runs its provisioners over SSH on a local VM standing in for the instance', async (t) => {
  const moto = await startMoto({
    images: [{ id: 'ami-0d0000000000000b1', name: 'debian-12-amd64-20261201', owner: '136693071363', arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs' }],
  });
  try {
    const awsEnv = { ...env, ...motoEnv(moto.endpoint), AWS_REGION: 'us-east-1', AMIBAKE_IMAGES_DIR: path.join(fixtures, 'images'), AMIBAKE_PROVISIONERS_DIR: path.join(fixtures, 'provisioners'), AMIBAKE_SOURCE_MIRROR: path.join(fixtures, 'mirror') };
    const base = await ensureBase(defaultRecipe());
    const { accelerator } = await detectAccelerator();
    const serialLog = path.join(env.AMIBAKE_BUILD_DIR!, 'standin-serial.log');
    await withVm({ disk: base.qcow2, kernel: base.kernel, initrd: base.initrd, snapshot: true, accelerator, serialLog }, async (vm) => {
      const args = ['bake', 'standin', '--target', 'aws', '--json', '--ssh-host', '127.0.0.1', '--ssh-port', String(vm.sshPort), '--ssh-user', vm.user, '--ssh-key', vm.privateKeyFile];
      const result = await runCli(args, awsEnv);
      t.is(result.code, 0, result.stderr.slice(-4000));
      t.regex(result.stderr, /amibake fault fixture/, 'the step ran in the stand-in and printed the uploaded source');
      const manifest = JSON.parse(result.stdout) as BuildManifest;
      const ami = manifest.amis?.['us-east-1'];
      const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [ami!] }));
      t.is(Images.length, 1);
      // The cleanup step removed the build key and the host keys: the stand-in takes no new login.
      const after = await vm.exec('true', { timeoutMs: 60_000 });
      t.is(after.code, 255);
      t.regex(after.stderr, /Permission denied|kex_exchange_identification|Connection closed/);
    });
  } finally {
    await moto.stop();
  }
});
