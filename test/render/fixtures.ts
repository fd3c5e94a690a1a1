// Shared by the render tests: fixture specs parsed straight from YAML (no spec loader needed),
// temp dirs, placeholder host files Packer's validate wants, and the external tools.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import YAML from 'yaml';
import type { RenderContext } from '../../src/render/context.js';
import { parsePackerVersion, type PackerInfo } from '../../src/render/packer-version.js';
import type { LoadedSpec, Spec, TargetName } from '../../src/spec/types.js';
import { sha256 } from '../../src/util/fs.js';

export const run = promisify(execFile);
export const fixturesDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/render',
);
export const fixtureProvisioners = path.join(fixturesDir, 'provisioners');

export const packer166 = parsePackerVersion('1.6.6') as PackerInfo;
export const packer194 = parsePackerVersion('1.9.4') as PackerInfo;

export async function loadFixture(name: string): Promise<LoadedSpec> {
  const file = path.join(fixturesDir, 'images', `${name}.yaml`);
  const text = await readFile(file, 'utf8');
  return { name, file, spec: YAML.parse(text) as Spec, hash: sha256(text) };
}

const made: string[] = [];
// Every test file that imports this module removes the temp dirs it made when it is done.
test.after.always(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `amibake-rt-${prefix}-`));
  made.push(dir);
  process.env.AMIBAKE_BUILD_DIR ??= path.join(dir, 'build');
  process.env.AMIBAKE_CACHE_DIR ??= path.join(dir, 'cache');
  return dir;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Host files the local source points at; empty placeholders except a real SSH key. */
export async function localPlaceholders(
  root: string,
): Promise<NonNullable<RenderContext['local']>> {
  const base = path.join(root, 'base');
  await mkdir(base, { recursive: true });
  for (const f of ['base.qcow2', 'vmlinuz', 'initrd.img']) await writeFile(path.join(base, f), '');
  const key = path.join(base, 'id_ed25519');
  await rm(key, { force: true });
  await rm(`${key}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'amibake-test', '-f', key]);
  return {
    baseQcow2: path.join(base, 'base.qcow2'),
    baseSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    kernel: path.join(base, 'vmlinuz'),
    initrd: path.join(base, 'initrd.img'),
    accelerator: 'tcg',
    sshPrivateKeyFile: key,
    sshPublicKey: (await readFile(`${key}.pub`, 'utf8')).trim(),
    sshUser: 'amibake',
    outputDir: path.join(root, 'output'),
    serialLog: path.join(root, 'serial.log'),
    kernelOutDir: path.join(root, 'boot'),
  };
}

export async function sourcesPlaceholder(root: string): Promise<string> {
  const dir = path.join(root, 'sources');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'sakila-db.tar.gz'), '');
  return dir;
}

export function awsContext(): NonNullable<RenderContext['aws']> {
  return {
    region: 'us-east-1',
    regions: ['us-east-1', 'eu-west-1', 'us-east-1'],
    toolVersion: '0.1.0',
  };
}

export async function contextFor(
  target: TargetName,
  root: string,
  packer: PackerInfo,
  extra: Partial<RenderContext> = {},
): Promise<RenderContext> {
  const base: RenderContext = {
    target,
    packer,
    buildId: '20261204t155300-ab12cd',
    outDir: path.join(root, 'out', target),
    provisionersDir: fixtureProvisioners,
    sourcesDir: await sourcesPlaceholder(root),
  };
  if (target === 'local') base.local = await localPlaceholders(root);
  else base.aws = awsContext();
  return { ...base, ...extra };
}

/** Environment for running Packer without network calls home or cloud credentials. */
export function packerEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    PACKER_CACHE_DIR: path.join(home, 'packer_cache'),
  };
}
