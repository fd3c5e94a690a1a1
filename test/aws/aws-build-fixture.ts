// Test fixture: a spec with an aws target and publish section in a temp images dir, and a
// finished aws build of it (a registered AMI in moto plus its manifest) in a temp build dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { manifestPath, newBuildId, writeManifest } from '../../src/bake/manifest.js';
import type { AuditFinding, BuildManifest } from '../../src/manifest-types.js';
import { repoRoot } from '../../src/paths.js';
import test from 'ava';
import { resetClients } from '../../src/aws/clients.js';
import { motoEnv, registerImage, startMoto, type MotoServer } from '../helpers/moto.js';

export const SOURCE_REGION = 'us-east-1';
export const TARGETS = ['us-east-1', 'us-west-2', 'eu-west-1'];
export const SHARED_ACCOUNT = '210987654321';

export interface Dirs {
  root: string;
  images: string;
  builds: string;
  cleanup(): Promise<void>;
}

/** Temp images and build dirs, pointed at by AMIBAKE_IMAGES_DIR / AMIBAKE_BUILD_DIR. */
export async function useTempDirs(): Promise<Dirs> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-aws-'));
  const dirs = { root, images: path.join(root, 'images'), builds: path.join(root, 'build') };
  await mkdir(dirs.images, { recursive: true });
  process.env.AMIBAKE_IMAGES_DIR = dirs.images;
  process.env.AMIBAKE_BUILD_DIR = dirs.builds;
  return { ...dirs, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function writeSpec(dirs: Dirs, name: string, publicImage = true, keep = 2) {
  const yaml = [
    'description: AWS area test image',
    'architecture: x86_64',
    'targets:',
    '  aws:',
    '    base:',
    '      owners: ["136693071363"]',
    '      name_filter: "debian-12-amd64-*"',
    '      virtualization: hvm',
    '      root_device: ebs',
    '      distro: debian',
    '    instance_type: t3.micro',
    'publish:',
    `  public: ${publicImage}`,
    `  regions: [${TARGETS.join(', ')}]`,
    `  accounts: ["${SHARED_ACCOUNT}"]`,
    '  tags: { Project: amibake-test }',
    'rebuild:',
    '  schedule: "0 4 * * 1"',
    `  retention: { keep: ${keep} }`,
    '',
  ].join('\n');
  await writeFile(path.join(dirs.images, `${name}.yaml`), yaml);
}

export interface BuildOptions {
  verified?: 'passed' | 'failed' | 'none';
  audit?: AuditFinding[];
  buildId?: string;
}

export interface FakeBuild {
  buildId: string;
  imageId: string;
  amiName: string;
  manifestFile: string;
}

/** Registers the "baked" AMI in the source region and writes the build's manifest. */
export async function makeAwsBuild(
  ec2: EC2Client,
  image: string,
  options: BuildOptions = {},
): Promise<FakeBuild> {
  const buildId = options.buildId ?? newBuildId();
  const amiName = `amibake-${image}-${buildId}`;
  const imageId = await registerImage(ec2, {
    name: amiName, arch: 'x86_64', virtualization: 'hvm', rootDevice: 'ebs',
    tags: { 'amibake:image': image, 'amibake:build-id': buildId },
  });
  const verified = options.verified ?? 'passed';
  const at = new Date().toISOString();
  const verification = { status: verified, at, results: [], audit: options.audit ?? [] };
  const manifest: BuildManifest = {
    schema: 1,
    build_id: buildId,
    image,
    target: 'aws',
    status: 'succeeded',
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    spec_hash: 'f'.repeat(64),
    base: { ami: { [SOURCE_REGION]: 'ami-00000000000000b01' } },
    phases: { bake: 1 },
    artifacts: [],
    amis: { [SOURCE_REGION]: imageId },
    ...(verified === 'none'
      ? {}
      : { verification: verification as BuildManifest['verification'] }),
    tool_version: '0.1.0',
  };
  const manifestFile = manifestPath(image, 'aws', buildId);
  await writeManifest(manifestFile, manifest);
  return { buildId, imageId, amiName, manifestFile };
}

/** Our account's AMIs and snapshots in a region, as ids. */
export async function ownResources(ec2: EC2Client) {
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
  const snapshots = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return {
    images: (images.Images ?? []).map((i) => i.ImageId ?? ''),
    snapshots: (snapshots.Snapshots ?? []).map((s) => s.SnapshotId ?? ''),
  };
}

export interface CliRun {
  child: ChildProcess;
  stderr(): string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs `node bin/amibake.js ARGS` as a child, the way a user would. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/amibake.js'), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export interface MotoFile {
  readonly moto: MotoServer;
  readonly dirs: Dirs;
}

// One moto and temp dirs for a whole test file, with ava's hooks registered here: AWS env set,
// publish polling fast, and (resetEach) an empty moto and fresh clients before every test.
export function useMotoPerFile(options: { resetEach?: boolean } = {}): MotoFile {
  const state = {} as { moto: MotoServer; dirs: Dirs };
  test.before(async () => {
    state.moto = await startMoto({ images: [] });
    Object.assign(process.env, motoEnv(state.moto.endpoint), { AMIBAKE_PUBLISH_POLL_SECONDS: '0.2' });
    state.dirs = await useTempDirs();
  });
  if (options.resetEach) {
    test.beforeEach(async () => {
      await state.moto.reset();
      resetClients();
    });
  }
  test.after.always(async () => {
    await state.moto?.stop();
    await state.dirs?.cleanup();
  });
  return state;
}
