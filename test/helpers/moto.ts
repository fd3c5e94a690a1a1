// Starts a private moto_server on 127.0.0.1 for one test file and stops it by PID; also seeds
// and registers images, since moto's own API cannot make every kind of base image (see below).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  RegisterImageCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { Architecture } from '../../src/spec/types.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  pid: number;
  /** Empties every account and region (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An image moto loads at start in every account and region (moto's MOTO_AMIS_PATH). Only a
 * seed can carry another owner, an architecture, a virtualization type or a root device type:
 * moto 5.2.1's RegisterImage keeps only the name, and its images live in the caller's account.
 */
export interface SeedImage {
  id: string;
  name: string;
  owner: string;
  arch: Architecture;
  virtualization?: 'hvm' | 'paravirtual';
  rootDevice?: 'ebs' | 'instance-store';
  /**
   * ISO time. Limit (moto 5.2.1 bug, measured): a dated seed loads only into the FIRST
   * account/region backend touched; any other region, and any reset, answers HTTP 500, since
   * moto parses the dates in place. Dated seeds therefore need a fresh server and one region;
   * reset() refuses them. Undated seeds get the time their region is first touched.
   */
  creationDate?: string;
  public?: boolean;
  tags?: Record<string, string>;
}

export interface MotoOptions {
  images?: SeedImage[];
  /** Extra environment for moto_server, e.g. MOTO_ENABLE_AMI_VALIDATION. */
  env?: Record<string, string>;
}

const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

function requireMotoServer(): void {
  const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error('moto_server is not on PATH: install moto[server] 5.x (pip) to run AWS tests');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function writeSeeds(images: SeedImage[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'amibake-moto-'));
  const file = path.join(dir, 'amis.json');
  const rows = images.map((image) => ({
    ami_id: image.id,
    name: image.name,
    description: image.name,
    owner_id: image.owner,
    public: image.public ?? true,
    architecture: image.arch,
    virtualization_type: image.virtualization ?? 'hvm',
    root_device_type: image.rootDevice ?? 'ebs',
    root_device_name: '/dev/xvda',
    state: 'available',
    image_type: 'machine',
    hypervisor: 'xen',
    ...(image.creationDate ? { creation_date: image.creationDate } : {}),
    ...(image.tags ? { tags: image.tags } : {}),
  }));
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

async function waitReady(endpoint: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with ${child.exitCode}: ${output().slice(-400)}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server at ${endpoint} not ready after 20 s: ${output().slice(-400)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  requireMotoServer();
  const seedFile = options.images ? writeSeeds(options.images) : undefined;
  const dated = options.images?.some((image) => image.creationDate) ?? false;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ...options.env, ...(seedFile ? { MOTO_AMIS_PATH: seedFile } : {}) };
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.add(child);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  try {
    await waitReady(endpoint, child, () => tail);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    async reset() {
      if (dated) {
        throw new Error('moto cannot reload dated seed images after a reset; start a new server');
      }
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.status !== 200) throw new Error(`moto reset answered ${response.status}`);
    },
    async stop() {
      await stopChild(child);
      if (seedFile) rmSync(path.dirname(seedFile), { recursive: true, force: true });
    },
  };
}

/** The environment a test sets so the SDK and Packer talk to moto and nothing else. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    CHECKPOINT_DISABLE: '1',
    // The SDK warns once per process that it will need Node 22 from 2027; tests run on Node 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface RegisterOptions {
  name: string;
  /** Must be the caller's account in moto (it records the caller as owner); checked. */
  owner?: string;
  arch: Architecture;
  virtualization: 'hvm' | 'paravirtual';
  rootDevice: 'ebs' | 'instance-store';
  tags?: Record<string, string>;
}

/**
 * Registers an image the way AWS takes it and returns its id. In moto 5.2.1 the image keeps
 * only its name, owner (the caller) and one snapshot: Architecture, VirtualizationType and
 * RootDeviceType are dropped, so it never matches the base-AMI resolver's filters; use a
 * SeedImage for bases found by filter, and this for images addressed by id (baked AMIs).
 */
export async function registerImage(ec2: EC2Client, options: RegisterOptions): Promise<string> {
  const ebs = options.rootDevice === 'ebs';
  const registered = await ec2.send(
    new RegisterImageCommand({
      Name: options.name,
      Architecture: options.arch,
      VirtualizationType: options.virtualization,
      RootDeviceName: '/dev/xvda',
      ...(ebs
        ? { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }] }
        : { ImageLocation: `amibake-test/${options.name}/image.manifest.xml` }),
    }),
  );
  const imageId = registered.ImageId ?? '';
  const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const image = described.Images?.[0];
  if (options.owner && image?.OwnerId !== options.owner) {
    throw new Error(
      `registerImage: the endpoint made ${imageId} owned by ${image?.OwnerId},` +
        ` not ${options.owner};` +
        ' use startMoto({ images }) for images of other owners',
    );
  }
  const tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  if (tags.length > 0) {
    const snapshots = (image?.BlockDeviceMappings ?? []).flatMap((m) => m.Ebs?.SnapshotId ?? []);
    await ec2.send(new CreateTagsCommand({ Resources: [imageId, ...snapshots], Tags: tags }));
  }
  return imageId;
}
