// Removes everything a verification boot made: instances (by id and by their unique Name tag,
// in case a launch answer was lost), then the security group, then the key pair. Never uses
// an abort signal: an interrupted run must still clean up. Returns what could not be removed.
import { rm } from 'node:fs/promises';
import {
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ec2Client } from '../aws/clients.js';
import { send } from '../aws/actions.js';
import type { AwsError } from '../errors.js';
import { info, warn } from '../log.js';
import { pollUntil, sleep } from './poll.js';

export interface Session {
  region: string;
  /** Unique per run: the key pair's and security group's name and the instance's Name tag. */
  name: string;
  workDir: string;
  /** Set when teardown starts, so a launch still under way stops at its next step. */
  stopping: boolean;
  launching?: Promise<void>;
  keyName?: string;
  groupName?: string;
  groupId?: string;
  instanceName?: string;
  instanceId?: string;
  timeoutMs?: number;
  pollMs?: number;
}

const phase = { phase: 'verify' as const };
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export async function tearDownSession(s: Session): Promise<string[]> {
  s.stopping = true;
  await s.launching?.catch(() => undefined);
  // In this order: a group is in use until its instance is gone.
  const left = [
    ...(await terminateInstances(s)),
    ...(await deleteGroup(s)),
    ...(await deleteKeyPair(s)),
  ];
  await rm(s.workDir, { recursive: true, force: true });
  if (left.length > 0) warn(`verify: left behind in ${s.region}: ${left.join(', ')}`);
  return left;
}

async function instancesToEnd(s: Session): Promise<string[]> {
  const ids = new Set(s.instanceId ? [s.instanceId] : []);
  if (s.instanceName) {
    const out = await send(ec2Client(s.region), new DescribeInstancesCommand({
      Filters: [{ Name: 'tag:Name', Values: [s.instanceName] }],
    }), phase);
    for (const r of out.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (i.InstanceId && i.State?.Name !== 'terminated') ids.add(i.InstanceId);
      }
    }
  }
  return [...ids];
}

async function terminateInstances(s: Session): Promise<string[]> {
  const ec2 = ec2Client(s.region);
  let ids: string[] = [];
  try {
    ids = await instancesToEnd(s);
    if (ids.length === 0) return [];
    await send(ec2, new TerminateInstancesCommand({ InstanceIds: ids }), phase);
    const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const what = `${ids.join(', ')} terminated`;
    await pollUntil(what, timeoutMs, s.pollMs ?? 5_000, undefined, async () => {
      const out = await send(ec2, new DescribeInstancesCommand({ InstanceIds: ids }), phase);
      const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      return instances.every((i) => i.State?.Name === 'terminated');
    });
    info(`verify: terminated ${ids.join(', ')}`);
    return [];
  } catch (error) {
    const which = ids.join(', ') || s.instanceName;
    warn(`verify: could not terminate ${which}: ${(error as Error).message}`);
    return [`instance ${ids.join(', ') || `named ${s.instanceName}`}`];
  }
}

async function groupIdOf(s: Session): Promise<string | undefined> {
  if (s.groupId || !s.groupName) return s.groupId;
  const out = await send(ec2Client(s.region), new DescribeSecurityGroupsCommand({
    Filters: [{ Name: 'group-name', Values: [s.groupName] }],
  }), phase);
  return out.SecurityGroups?.[0]?.GroupId;
}

// The group stays "in use" for a while after its instance is gone: retry on that alone.
async function deleteGroup(s: Session): Promise<string[]> {
  let id: string | undefined;
  const deadline = Date.now() + (s.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    try {
      id = await groupIdOf(s);
      if (!id) return [];
      await send(ec2Client(s.region), new DeleteSecurityGroupCommand({ GroupId: id }), phase);
      info(`verify: deleted security group ${id}`);
      return [];
    } catch (error) {
      const code = (error as AwsError).code;
      if (code === 'InvalidGroup.NotFound') return [];
      if (code !== 'DependencyViolation' || Date.now() > deadline) {
        return [`security group ${id ?? s.groupName} (${(error as Error).message})`];
      }
      await sleep(s.pollMs ?? 5_000);
    }
  }
}

async function deleteKeyPair(s: Session): Promise<string[]> {
  if (!s.keyName) return [];
  try {
    await send(ec2Client(s.region), new DeleteKeyPairCommand({ KeyName: s.keyName }), phase);
    info(`verify: deleted key pair ${s.keyName}`);
    return [];
  } catch (error) {
    if ((error as AwsError).code === 'InvalidKeyPair.NotFound') return [];
    return [`key pair ${s.keyName} (${(error as Error).message})`];
  }
}
