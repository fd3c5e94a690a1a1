// A spec and a baked-build manifest on disk for verification tests against moto.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildManifest } from '../../src/manifest-types.js';
import { manifestPath, writeManifest } from '../../src/bake/manifest.js';

export interface SmokeYaml {
  name: string;
  run: string;
  output?: string;
  timeout?: number;
}

export function specYaml(sshUser: string, smoke: SmokeYaml[], isPublic = false): string {
  const tests = smoke.map((s) => [
    `  - name: ${s.name}`,
    '    type: command',
    `    run: ${JSON.stringify(s.run)}`,
    ...(s.output === undefined ? [] : [`    output: ${JSON.stringify(s.output)}`]),
    ...(s.timeout === undefined ? [] : [`    timeout: ${s.timeout}`]),
  ].join('\n'));
  return [
    'description: verification test image',
    'architecture: x86_64',
    'targets:',
    '  aws:',
    '    base:',
    '      owners: ["amazon"]',
    '      name_filter: "debian-12-amd64-*"',
    '      virtualization: hvm',
    '      root_device: ebs',
    '      distro: debian',
    '    instance_type: t3.micro',
    `    ssh_user: ${sshUser}`,
    ...(isPublic ? ['publish:', '  public: true', '  regions: [us-east-1]'] : []),
    'smoke:',
    ...tests,
    '',
  ].join('\n');
}

export async function writeFixture(
  name: string,
  yaml: string,
  amis: Record<string, string>,
): Promise<{ imagesDir: string; buildDir: string; manifestFile: string; buildId: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-verify-fixture-'));
  const imagesDir = path.join(root, 'images');
  const buildDir = path.join(root, 'build');
  await mkdir(imagesDir, { recursive: true });
  await writeFile(path.join(imagesDir, `${name}.yaml`), yaml);
  process.env.AMIBAKE_BUILD_DIR = buildDir;
  const buildId = '20260101t000000-abcdef';
  const manifestFile = manifestPath(name, 'aws', buildId);
  const manifest: BuildManifest = {
    schema: 1,
    build_id: buildId,
    image: name,
    target: 'aws',
    status: 'succeeded',
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:10:00.000Z',
    spec_hash: 'x',
    base: {},
    phases: {},
    artifacts: [],
    amis,
    tool_version: '0.1.0',
  };
  await writeManifest(manifestFile, manifest);
  return { imagesDir, buildDir, manifestFile, buildId };
}
