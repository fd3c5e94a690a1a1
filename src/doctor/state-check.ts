// Whether the state store is reachable: for s3:// a one-key listing under the prefix, the same
// call the store makes (s3:ListBucket); for a directory, that it exists or can be made.
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { send } from '../aws/actions.js';
import { s3Client } from '../aws/clients.js';
import { parseStateUri } from '../state/uri.js';
import { fail, ok, type CheckResult } from './check-result.js';
import { codeOf, diagnose } from './diagnose.js';
import { sendPhaseFor } from './send-phase.js';

async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

async function localStateCheck(dir: string): Promise<CheckResult> {
  const existing = await nearestExisting(dir);
  if (!(await stat(existing)).isDirectory()) {
    return fail('state', `${existing} is a file, so ${dir} cannot be a directory`,
      'use --state with a directory path');
  }
  try {
    await access(existing, constants.W_OK);
  } catch {
    return fail('state', `${existing} is not writable`, `use --state with a writable directory`);
  }
  const where = existing === dir ? 'exists' : `will be created under ${existing}`;
  return ok('state', `local directory ${dir} ${where} and is writable`);
}

export async function stateCheck(uri: string, region: string | undefined): Promise<CheckResult> {
  const target = parseStateUri(uri);
  if (target.kind !== 's3') return localStateCheck(target.dir);
  const prefix = target.prefix === '' ? '' : `${target.prefix}/`;
  const command = new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix, MaxKeys: 1 });
  try {
    await send(s3Client(target.region ?? region), command, {
      phase: sendPhaseFor('s3:ListObjectsV2'),
    });
    return ok('state', `${uri} is reachable (listing under the prefix is allowed)`);
  } catch (error) {
    if (codeOf(error) === 'NoSuchBucket') {
      return fail('state', `the bucket ${target.bucket} does not exist`,
        `create it (aws s3 mb s3://${target.bucket}) or point --state elsewhere`);
    }
    const state = { bucket: target.bucket, prefix: target.prefix };
    return diagnose('state', error, { permission: 's3:ListBucket', phase: 'state', state });
  }
}
