// Shared by the state, rebuild and schedule tests: manifests, temp dirs and a moto-backed S3.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { BuildManifest } from '../../src/manifest-types.js';
import { resetClients } from '../../src/aws/clients.js';
import { startMoto, motoEnv, type MotoServer, type MotoOptions } from '../helpers/moto.js';

export function makeManifest(
  overrides: Partial<BuildManifest> & { build_id: string },
): BuildManifest {
  return {
    schema: 1,
    image: 'demo',
    target: 'aws',
    status: 'succeeded',
    started_at: '2025-01-01T00:00:00.000Z',
    finished_at: '2025-01-01T00:10:00.000Z',
    spec_hash: 'a'.repeat(64),
    base: { ami: { 'us-east-1': 'ami-00000000000000001' } },
    phases: {},
    artifacts: [],
    tool_version: '0.1.0',
    verification: { status: 'passed', at: '2025-01-01T00:12:00.000Z', results: [], audit: [] },
    ...overrides,
  };
}

export function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `amibake-${label}-`));
}

/** Points this process's AWS SDK at moto (and nowhere else) and forgets cached clients. */
export function useMotoEnv(endpoint: string): void {
  Object.assign(process.env, motoEnv(endpoint));
  resetClients();
}

export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
}

/** A moto server with one empty bucket, and this process's SDK pointed at it. */
export async function motoWithBucket(
  bucket: string,
  options?: MotoOptions,
): Promise<MotoServer> {
  const moto = await startMoto(options);
  useMotoEnv(moto.endpoint);
  await createBucket(moto.endpoint, bucket);
  return moto;
}
