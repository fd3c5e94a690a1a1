// The build steps of a base disk inside one (partial) directory: rootfs, ext4, qcow2, kernel.
import { copyFile, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BakeError } from '../errors.js';
import { info, warn } from '../log.js';
import { redact } from '../redact.js';
import { sha256File } from '../util/fs.js';
import { runTracked } from './proc.js';
import { BUILD_SETTINGS, hookScriptPath, packagesToInstall, type BaseRecipe } from './recipe.js';
import { removeTree } from './remove-tree.js';

export interface BuiltFiles {
  qcow2: string;
  kernel: string;
  initrd: string;
  kernelVersion: string;
  sha256: string;
  sizeBytes: number;
}

// logFile lives outside dir so it survives a failed build that removes dir.
export async function buildBaseInto(
  dir: string,
  recipe: BaseRecipe,
  logFile: string,
): Promise<BuiltFiles> {
  const rootfs = path.join(dir, 'rootfs');
  const raw = path.join(dir, 'base.raw');
  const qcow2 = path.join(dir, 'base.qcow2');

  await phase('mmdebstrap (Debian rootfs)', () => debootstrap(recipe, rootfs, logFile));
  const kernel = await phase('kernel and initrd', () => copyKernel(rootfs, dir));
  await phase('mkfs.ext4 -d', async () => {
    await createSparse(raw, BUILD_SETTINGS.diskGiB * 1024 ** 3);
    await step(logFile, 'mkfs.ext4', ['-q', '-F', '-L', 'amibake-root', '-d', rootfs, raw]);
  });
  await removeTree(rootfs);
  await phase('qemu-img convert -O qcow2', () =>
    step(logFile, 'qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]),
  );
  await rm(raw, { force: true });
  const digest = await phase('sha256', () => sha256File(qcow2));
  return {
    qcow2,
    kernel: kernel.kernel,
    initrd: kernel.initrd,
    kernelVersion: kernel.version,
    sha256: digest,
    sizeBytes: (await stat(qcow2)).size,
  };
}

// Debian's own mirror only: bookworm, bookworm-updates and security, so the kernel is current.
export function aptSources(release: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const mirror = env.AMIBAKE_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const security = env.AMIBAKE_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';
  return [
    `deb ${mirror} ${release} main`,
    `deb ${mirror} ${release}-updates main`,
    `deb ${security} ${release}-security main`,
  ];
}

async function debootstrap(recipe: BaseRecipe, rootfs: string, logFile: string): Promise<void> {
  // A private mount and PID namespace: whatever kills the build, no bind mount of /dev or
  // /sys stays behind on the host, and every process of the build dies with it.
  const args = [
    '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child',
    'mmdebstrap', '--mode=root', `--variant=${BUILD_SETTINGS.variant}`, '--arch=amd64',
    `--include=${packagesToInstall(recipe).join(',')}`,
    '--customize-hook=sh "$AMIBAKE_HOOK" "$1" "$AMIBAKE_HOOK_USER"',
    recipe.release, rootfs, ...aptSources(recipe.release),
  ];
  const env = { ...process.env, AMIBAKE_HOOK: hookScriptPath, AMIBAKE_HOOK_USER: recipe.user };
  await step(logFile, 'unshare', args, env, 'mmdebstrap');
}

async function copyKernel(rootfs: string, dir: string) {
  const boot = path.join(rootfs, 'boot');
  const names = await readdir(boot);
  const vmlinuz = names.filter((n) => n.startsWith('vmlinuz-'));
  if (vmlinuz.length !== 1) {
    throw new BakeError(`base build: expected one kernel in ${boot}, found ${vmlinuz.length}`, {
      hint: 'keep exactly one linux-image package in the base recipe',
    });
  }
  const version = vmlinuz[0].slice('vmlinuz-'.length);
  const kernel = path.join(dir, 'vmlinuz');
  const initrd = path.join(dir, 'initrd.img');
  await copyFile(path.join(boot, `vmlinuz-${version}`), kernel);
  await copyFile(path.join(boot, `initrd.img-${version}`), initrd);
  return { kernel, initrd, version };
}

async function createSparse(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

async function step(
  logFile: string, command: string, args: string[], env?: NodeJS.ProcessEnv, label = command,
) {
  const result = await runTracked(command, args, { logFile, env });
  if (result.code === 0) return;
  const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.code}`;
  warn(`last lines of ${logFile}:\n${await logTail(logFile, 12)}`);
  throw new BakeError(`base build: ${label} ${how} (full log: ${logFile})`, {
    hint: 'check the package names and the network path to the Debian mirror',
  });
}

async function logTail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return redact(text.trimEnd().split('\n').slice(-lines).map((l) => `  ${l}`).join('\n'));
  } catch {
    return '  (no log)';
  }
}

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  info(`base: ${name}...`);
  const result = await work();
  info(`base: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
