// The view behind source-qemu.hcl.hbs: a direct-kernel-boot QEMU VM on the local base disk.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RenderError } from '../errors.js';
import type { LoadedSpec } from '../spec/types.js';
import type { LocalContext, RenderContext } from './context.js';

export const DEFAULT_MEMORY_MIB = 1024;
export const DEFAULT_CPUS = 2;

export function requireLocal(loaded: LoadedSpec, ctx: RenderContext): LocalContext {
  if (!loaded.spec.targets.local) {
    throw new RenderError(`image "${loaded.name}" declares no local target`);
  }
  if (!ctx.local) throw new RenderError('rendering for the local target needs the local context');
  // The base disk is Debian amd64 (src/local/recipe.ts): an i386 spec would get an amd64 image.
  if (loaded.spec.architecture !== 'x86_64') {
    throw new RenderError(
      `image "${loaded.name}" is ${loaded.spec.architecture}; the local target bakes x86_64 only`,
    );
  }
  return ctx.local;
}

// The base disk's boot unit writes this key to the build user's authorized_keys.
function kernelCommandLine(publicKey: string): string {
  const key = Buffer.from(publicKey.trim(), 'utf8').toString('base64');
  return `root=/dev/vda rw console=ttyS0 net.ifnames=0 amibake.ssh_key=${key}`;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new RenderError(`${what} must be a positive integer`);
  return n;
}

export function qemuView(loaded: LoadedSpec, ctx: RenderContext, label: string) {
  const local = requireLocal(loaded, ctx);
  const target = loaded.spec.targets.local;
  if (!/^[0-9a-f]{64}$/.test(local.baseSha256)) {
    throw new RenderError('the base disk sha256 must be 64 lowercase hex digits');
  }
  return {
    label,
    isoUrl: pathToFileURL(path.resolve(local.baseQcow2)).href,
    isoChecksum: `sha256:${local.baseSha256}`,
    accelerator: local.accelerator,
    memory: positive(local.memory ?? target?.memory, DEFAULT_MEMORY_MIB, 'memory'),
    cpus: positive(local.cpus ?? target?.cpus, DEFAULT_CPUS, 'cpus'),
    outputDir: path.resolve(local.outputDir),
    vmName: `${loaded.name}.qcow2`,
    sshUser: local.sshUser,
    sshKeyFile: path.resolve(local.sshPrivateKeyFile),
    kernel: path.resolve(local.kernel),
    initrd: path.resolve(local.initrd),
    append: kernelCommandLine(local.sshPublicKey),
    serial: `file:${path.resolve(local.serialLog)}`,
    offline: ctx.offline === true,
  };
}
