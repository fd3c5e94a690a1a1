import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  ImportKeyPairCommand,
  RunInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { startMoto, motoEnv, registerImage, type MotoServer } from '../helpers/moto.js';
import { resetClients } from '../../src/aws/clients.js';
import { createBuildKey, type BuildKey } from '../../src/local/keys.js';
import { loadSpec } from '../../src/spec/load.js';
import { readManifest } from '../../src/bake/manifest.js';
import { openStateStore } from '../../src/state/store.js';
import { verifyBuild } from '../../src/verify/verify.js';
import { withAwsInstance } from '../../src/verify/aws-boot.js';
import { tearDownSession } from '../../src/verify/aws-teardown.js';
import { resolveSshCidr } from '../../src/verify/ssh-cidr.js';
import { repoRoot } from '../../src/paths.js';
import { startSshd, sshdMissing, type Sshd } from '../helpers/sshd.js';
import { specYaml, writeFixture } from './aws-fixture.js';
import { plantTree } from './audit-tree.js';

let moto: MotoServer;
let sshd: Sshd;
let key: BuildKey;
let ec2: EC2Client;
let imageId: string;
let keyDir: string;
// Temp dirs of every test, removed at the end even when an assertion stopped a test early.
const temps: string[] = [];

async function fixture(yaml: string) {
  const fx = await writeFixture('verify-test', yaml, { 'us-east-1': imageId });
  temps.push(path.dirname(fx.imagesDir));
  return fx;
}

async function tree(plant: Parameters<typeof plantTree>[0]) {
  const root = await plantTree(plant);
  temps.push(root);
  return root;
}

test.before(async () => {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
  resetClients();
  ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint });
  imageId = await registerImage(ec2, {
    name: 'verify-me', arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
  });
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'amibake-verify-key-'));
  key = await createBuildKey(keyDir);
  sshd = await startSshd([key.publicKey]);
});

test.after.always(async () => {
  await sshd?.stop();
  await moto?.stop();
  resetClients();
  ec2?.destroy();
  await rm(keyDir, { recursive: true, force: true });
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function allInstances(): Promise<Instance[]> {
  const out = await ec2.send(new DescribeInstancesCommand({}));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

async function leftovers(): Promise<{ running: string[]; keys: string[]; groups: string[] }> {
  const running = (await allInstances())
    .filter((i) => i.State?.Name !== 'terminated')
    .map((i) => i.InstanceId ?? '');
  const keys = ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? [])
    .map((k) => k.KeyName ?? '').filter((n) => n.startsWith('amibake-verify'));
  const groups = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
    .map((g) => g.GroupName ?? '').filter((n) => n.startsWith('amibake-verify'));
  return { running, keys, groups };
}

const nothingLeft = { running: [], keys: [], groups: [] };

function bootOptions(overrides: Record<string, unknown> = {}) {
  return {
    region: 'us-east-1',
    imageId,
    instanceType: 't3.micro',
    sshUser: sshd.user,
    sshCidr: '127.0.0.1/32',
    sshHost: '127.0.0.1',
    sshPort: sshd.port,
    key,
    image: 'verify-test',
    buildId: '20260101t000000-abcdef',
    pollMs: 100,
    ...overrides,
  };
}

test.serial('the instance runs the AMI with its type and key, SSH open to one CIDR', async (t) => {
  const seen = await withAwsInstance(bootOptions(), async (guest) => {
    const instance = (await allInstances()).find((i) => i.InstanceId === guest.instanceId);
    const groupId = instance?.SecurityGroups?.[0]?.GroupId ?? '';
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const echoed = await guest.exec('echo over ssh');
    return { instance, group: groups.SecurityGroups?.[0], echoed };
  });
  t.is(seen.instance?.ImageId, imageId);
  t.is(seen.instance?.InstanceType, 't3.micro');
  t.regex(seen.instance?.KeyName ?? '', /^amibake-verify-verify-test-[0-9a-f]{8}$/);
  t.is(seen.instance?.SecurityGroups?.length, 1);
  t.is(seen.group?.GroupName, seen.instance?.KeyName);
  const rules = seen.group?.IpPermissions?.map((p) => [
    p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.map((r) => r.CidrIp),
  ]);
  t.deepEqual(rules, [['tcp', 22, 22, ['127.0.0.1/32']]]);
  t.is(seen.echoed.stdout, 'over ssh\n');
  t.deepEqual(await leftovers(), nothingLeft);
});

test.serial('verify on aws records smoke results and audit, then removes all', async (t) => {
  const root = await tree({
    'root/.bash_history': 'mysql -psecret\n',
    'etc/shadow': 'root:*:1::::::\n',
  });
  const yaml = specYaml(sshd.user, [{ name: 'hello', run: 'echo hello', output: 'hello' }]);
  const fx = await fixture(yaml);
  // The store already knows the build, with a publish record the manifest file lacks.
  const store = await openStateStore();
  const publish = { status: 'published' as const, at: 'then', public: false, amis: {} };
  await store.put({ ...(await readManifest(fx.manifestFile)), publish });
  const loaded = await loadSpec('verify-test', fx.imagesDir);
  const outcome = await verifyBuild({
    loaded, target: 'aws', manifestFile: fx.manifestFile, sshCidr: '127.0.0.1/32',
    sshHost: '127.0.0.1', sshPort: sshd.port, key, auditRoot: root, pollMs: 100,
  });
  t.is(outcome.verification.status, 'passed');
  const kept = await store.get('verify-test', fx.buildId);
  t.deepEqual(kept?.verification, outcome.verification, 'the state store has the verification');
  t.deepEqual(kept?.publish, publish, 'and keeps what it had');
  const results = outcome.verification.results.map((r) => [r.name, r.passed, r.actual]);
  t.deepEqual(results, [['hello', true, 'exit 0, output "hello"']]);
  t.deepEqual(outcome.verification.audit, [
    { kind: 'shell_history', path: '/root/.bash_history', detail: 'shell or client history' },
  ]);
  t.is(outcome.severity, 'warning');
  const stored = await readManifest(fx.manifestFile);
  t.deepEqual(stored.verification, outcome.verification);
  t.deepEqual(await leftovers(), nothingLeft);
});

test.serial('a failing smoke test marks the build failed and still removes all', async (t) => {
  const root = await tree({});
  const yaml = specYaml(sshd.user, [
    { name: 'hello', run: 'echo hello', output: 'hello' },
    { name: 'wrong', run: 'echo 1000', output: '1001', timeout: 1 },
  ]);
  const fx = await fixture(yaml);
  const loaded = await loadSpec('verify-test', fx.imagesDir);
  const outcome = await verifyBuild({
    loaded, target: 'aws', manifestFile: fx.manifestFile, sshCidr: '127.0.0.1/32',
    sshHost: '127.0.0.1', sshPort: sshd.port, key, auditRoot: root, pollMs: 100,
  });
  t.is(outcome.verification.status, 'failed');
  const results = outcome.verification.results.map((r) => [r.name, r.passed]);
  t.deepEqual(results, [['hello', true], ['wrong', false]]);
  t.is(outcome.verification.results[1].actual, 'exit 0, output "1000"');
  t.deepEqual(await leftovers(), nothingLeft);
});

test.serial('when SSH never answers, the error is reported and all is removed', async (t) => {
  const options = bootOptions({ sshPort: 1, timeoutsMs: { ssh: 2_000 } });
  const error = await t.throwsAsync(withAwsInstance(options, async () => 'unreachable'));
  t.regex(error?.message ?? '', /SSH did not answer within 2 s/);
  t.deepEqual(await leftovers(), nothingLeft);
});

test.serial('without an SSH CIDR nothing is launched and the message says why', async (t) => {
  delete process.env.AMIBAKE_SSH_CIDR;
  const before = (await allInstances()).length;
  await t.throwsAsync(withAwsInstance(bootOptions({ sshCidr: undefined }), async () => 1), {
    message: /needs the address SSH will come from/,
  });
  t.is((await allInstances()).length, before);
  t.is(resolveSshCidr('203.0.113.7'), '203.0.113.7/32');
  t.throws(() => resolveSshCidr('example.com/32'), { message: /not an IPv4 CIDR/ });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test.serial(`${signal} during verification still removes instance, key and group`, async (t) => {
    const yaml = specYaml(sshd.user, [{ name: 'hello', run: 'echo hello', output: 'hello' }]);
    const fx = await fixture(yaml);
    const before = (await allInstances()).length;
    // The CLI makes its own key, which the stand-in SSH server refuses: it waits for SSH.
    const child = spawn(process.execPath, [
      path.join(repoRoot, 'bin/amibake.js'), 'verify', 'verify-test', '--target', 'aws',
      '--ssh-cidr', '127.0.0.1/32', '--ssh-host', '127.0.0.1', '--ssh-port', String(sshd.port),
    ], {
      env: { ...process.env, AMIBAKE_IMAGES_DIR: fx.imagesDir, AMIBAKE_BUILD_DIR: fx.buildDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (!/launched i-/.test(stderr) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const running = (await allInstances()).filter((i) => i.State?.Name === 'running');
    t.is(running.length, 1, stderr);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill(signal);
    const code = await exited;
    // 130 from the interrupted command; SIGTERM may end as 143 when the process-wide teardown
    // finishes first, the shell's own code for it. Either way, only after the cleanup.
    t.true(code === 130 || (signal === 'SIGTERM' && code === 143), `exit ${code}: ${stderr}`);
    t.regex(stderr, /terminated i-/);
    t.is((await allInstances()).length, before + 1);
    t.deepEqual(await leftovers(), nothingLeft);
  });
}

test.serial('teardown finds by name what a lost launch answer never told us', async (t) => {
  const name = 'amibake-verify-lost-answer';
  const material = Buffer.from(key.publicKey);
  await ec2.send(new ImportKeyPairCommand({ KeyName: name, PublicKeyMaterial: material }));
  await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'lost' }));
  await ec2.send(new RunInstancesCommand({
    ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1,
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
  }));
  t.is((await leftovers()).running.length, 1);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'amibake-verify-'));
  temps.push(workDir);
  const left = await tearDownSession({
    region: 'us-east-1', name, workDir, stopping: false, pollMs: 100,
    keyName: name, groupName: name, instanceName: name,
  });
  t.deepEqual(left, []);
  t.deepEqual(await leftovers(), nothingLeft);
});
