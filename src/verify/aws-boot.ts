// Boots one EC2 instance from a new AMI for verification, behind a temporary key pair and a
// security group open on 22 to one CIDR only, hands the caller an SSH GuestExec, and always
// tears all three down again: on success, failure, timeout, SIGINT and SIGTERM.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  ImportKeyPairCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { ec2Client } from '../aws/clients.js';
import { send } from '../aws/actions.js';
import { AwsError, InterruptedError, VerifyError } from '../errors.js';
import { info } from '../log.js';
import { createBuildKey, type BuildKey } from '../local/keys.js';
import { registerTeardown } from '../local/reaper.js';
import type { GuestExec } from './guest.js';
import { sshExec, waitForSsh } from './guest-ssh.js';
import { resolveSshCidr } from './ssh-cidr.js';
import { pollUntil } from './poll.js';
import { tearDownSession, type Session } from './aws-teardown.js';

export interface AwsBootOptions {
  region: string;
  imageId: string;
  instanceType: string;
  sshUser: string;
  /** The one CIDR allowed to reach port 22; else AMIBAKE_SSH_CIDR; never looked up. */
  sshCidr?: string;
  /** Connect here instead of the instance's public IP (a bastion tunnel; tests). */
  sshHost?: string;
  sshPort?: number;
  /** The key to register; default a fresh ed25519 key in a 0700 temp dir, redacted. */
  key?: BuildKey;
  image: string;
  buildId: string;
  signal?: AbortSignal;
  timeoutsMs?: Partial<Record<'running' | 'status' | 'ssh' | 'terminate', number>>;
  pollMs?: number;
}

export interface AwsGuest {
  exec: GuestExec;
  instanceId: string;
  /** The public key the instance was launched with, so the audit can set it aside. */
  publicKey: string;
}

const TIMEOUTS = { running: 5 * 60_000, status: 10 * 60_000, ssh: 5 * 60_000 };

export async function withAwsInstance<T>(
  opts: AwsBootOptions,
  fn: (guest: AwsGuest) => Promise<T>,
): Promise<T> {
  const cidr = resolveSshCidr(opts.sshCidr);
  const session: Session = {
    region: opts.region,
    name: `amibake-verify-${opts.image}-${randomBytes(4).toString('hex')}`,
    workDir: await mkdtemp(path.join(os.tmpdir(), 'amibake-verify-')),
    stopping: false,
    timeoutMs: opts.timeoutsMs?.terminate,
    pollMs: opts.pollMs,
  };
  let teardown: Promise<string[]> | undefined;
  const tearDownOnce = () => (teardown ??= tearDownSession(session));
  // Without a caller's own signal handling, a signal still tears down before the process exits.
  const release = registerTeardown({
    onSignal: async () => void (await tearDownOnce()),
    onExit: () => {
      if (teardown) return;
      process.stderr.write(`amibake: exiting before ${session.name} was torn down\n`);
    },
  });
  let failed = false;
  try {
    const key = opts.key ?? (await createBuildKey(path.join(session.workDir, 'key')));
    session.launching = launch(opts, cidr, key, session);
    await session.launching;
    const host = await waitUntilReachable(opts, session.instanceId as string);
    const exec = sshExec({
      host,
      port: opts.sshPort ?? 22,
      user: opts.sshUser,
      privateKeyFile: key.privateKeyFile,
      knownHostsFile: path.join(session.workDir, 'known_hosts'),
    });
    await waitForSsh(exec, opts.timeoutsMs?.ssh ?? TIMEOUTS.ssh, {
      signal: opts.signal,
      intervalMs: opts.pollMs,
    });
    info(`verify: ssh to ${opts.sshUser}@${host}:${opts.sshPort ?? 22} works`);
    return await fn({ exec, instanceId: session.instanceId as string, publicKey: key.publicKey });
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const left = await tearDownOnce();
    release();
    if (left.length > 0 && !failed) {
      throw new AwsError(`verification left AWS resources behind: ${left.join(', ')}`, {
        hint: `delete them by hand (tagged amibake:verify=${opts.buildId})`,
      });
    }
  }
}

function tags(opts: AwsBootOptions, name: string): Tag[] {
  return [
    { Key: 'Name', Value: name },
    { Key: 'amibake:image', Value: opts.image },
    { Key: 'amibake:verify', Value: opts.buildId },
  ];
}

// Each step is checked against a stop request first, and no call is aborted half-way: a call
// cut off after AWS acted would leave a resource whose id we never learnt.
async function launch(
  opts: AwsBootOptions,
  cidr: string,
  key: BuildKey,
  session: Session,
): Promise<void> {
  const ec2 = ec2Client(opts.region);
  const phase = { phase: 'verify' as const };
  const step = (what: string) => {
    if (session.stopping || opts.signal?.aborted) {
      throw new InterruptedError(`interrupted before ${what}`);
    }
  };
  const name = session.name;
  step('DescribeImages');
  const images = await send(ec2, new DescribeImagesCommand({ ImageIds: [opts.imageId] }), phase);
  if (!images.Images?.length) {
    throw new VerifyError(`AMI ${opts.imageId} not found in ${opts.region}`);
  }

  step('ImportKeyPair');
  session.keyName = name;
  await send(ec2, new ImportKeyPairCommand({
    KeyName: name,
    PublicKeyMaterial: Buffer.from(key.publicKey),
    TagSpecifications: [{ ResourceType: 'key-pair', Tags: tags(opts, name) }],
  }), phase);

  step('CreateSecurityGroup');
  session.groupName = name;
  const group = await send(ec2, new CreateSecurityGroupCommand({
    GroupName: name,
    Description: `amibake verification of ${opts.image}: ssh from ${cidr} only`,
    TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(opts, name) }],
  }), phase);
  session.groupId = group.GroupId;
  await send(ec2, new AuthorizeSecurityGroupIngressCommand({
    GroupId: session.groupId,
    IpPermissions: [{
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: cidr, Description: 'amibake verify' }],
    }],
  }), phase);

  step('RunInstances');
  session.instanceName = name;
  const run = await send(ec2, new RunInstancesCommand({
    ImageId: opts.imageId,
    InstanceType: opts.instanceType as never,
    KeyName: name,
    SecurityGroupIds: [session.groupId as string],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: name,
    InstanceInitiatedShutdownBehavior: 'terminate',
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags(opts, name) }],
  }), phase);
  session.instanceId = run.Instances?.[0]?.InstanceId;
  if (!session.instanceId) {
    throw new AwsError('RunInstances returned no instance', { call: 'ec2:RunInstances' });
  }
  const what = `${opts.imageId} (${opts.instanceType}) in ${opts.region}`;
  info(`verify: launched ${session.instanceId} from ${what}`);
}

// Running, then both status checks ok; returns the address SSH should use.
async function waitUntilReachable(opts: AwsBootOptions, instanceId: string): Promise<string> {
  const ec2 = ec2Client(opts.region);
  const phase = { phase: 'verify' as const };
  const every = opts.pollMs ?? 5_000;
  let publicIp: string | undefined;
  const runningMs = opts.timeoutsMs?.running ?? TIMEOUTS.running;
  await pollUntil(`${instanceId} running`, runningMs, every, opts.signal, async () => {
    const out = await send(ec2, new DescribeInstancesCommand({ InstanceIds: [instanceId] }), phase);
    const instance = out.Reservations?.[0]?.Instances?.[0];
    const state = instance?.State?.Name;
    if (state === 'terminated' || state === 'shutting-down' || state === 'stopped') {
      const reason = instance?.StateReason?.Message ?? 'no reason given';
      throw new VerifyError(`${instanceId} went ${state} while booting: ${reason}`);
    }
    publicIp = instance?.PublicIpAddress;
    return state === 'running';
  });
  const statusMs = opts.timeoutsMs?.status ?? TIMEOUTS.status;
  await pollUntil(`${instanceId} status checks`, statusMs, every, opts.signal, async () => {
    const ask = new DescribeInstanceStatusCommand({ InstanceIds: [instanceId] });
    const out = await send(ec2, ask, phase);
    const status = out.InstanceStatuses?.[0];
    const checks = [status?.InstanceStatus?.Status, status?.SystemStatus?.Status];
    if (checks.includes('impaired')) {
      throw new VerifyError(`${instanceId} status checks report impaired`);
    }
    return checks.every((c) => c === 'ok');
  });
  const host = opts.sshHost ?? publicIp;
  if (!host) {
    throw new VerifyError(`${instanceId} has no public IP address`, {
      hint: 'use a subnet that assigns public IPs, or tunnel and pass --ssh-host/--ssh-port',
    });
  }
  return host;
}
