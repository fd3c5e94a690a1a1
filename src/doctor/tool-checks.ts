// Local prerequisites: Packer (both targets), and for local bakes QEMU, mmdebstrap, the
// accelerator and free disk space in the cache directory.
import { execFile } from 'node:child_process';
import { statfs, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { detectAccelerator } from '../local/accel.js';
import { cacheDir } from '../paths.js';
import { detectPacker } from '../render/packer-version.js';
import { fail, firstLine, ok, warnResult, type CheckResult } from './check-result.js';

const run = promisify(execFile);

/** What a local bake needs in the cache: a base disk, a working copy and the output. */
export const NEEDED_BYTES = 3 * 1024 ** 3;

export async function packerCheck(): Promise<CheckResult> {
  try {
    const packer = await detectPacker();
    return ok('packer', `Packer ${packer.version} found`);
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    return fail('packer', firstLine(error), hint ?? 'install Packer (apt-get install packer)');
  }
}

/** `command --version`'s first line, or a failing check naming the package to install. */
export async function commandCheck(
  command: string,
  install: string,
  env = process.env,
): Promise<CheckResult> {
  try {
    const { stdout } = await run(command, ['--version'], { timeout: 20_000, env });
    return ok(command, firstLine(stdout) || 'found');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return fail(command, 'not found on PATH', `apt-get install ${install}`);
    }
    return fail(command, `\`${command} --version\` failed: ${firstLine(error)}`);
  }
}

export async function acceleratorCheck(): Promise<CheckResult> {
  try {
    const choice = await detectAccelerator();
    if (choice.accelerator === 'kvm') return ok('accelerator', `KVM: ${choice.reason}`);
    const finding = `TCG (software emulation, several times slower): ${choice.reason}`;
    return warnResult('accelerator', finding,
      'load kvm_intel or kvm_amd and give this user rw access to /dev/kvm');
  } catch (error) {
    return fail('accelerator', firstLine(error), (error as { hint?: string }).hint);
  }
}

async function existingAncestor(dir: string): Promise<string> {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await stat(current);
      return current;
    } catch {
      if (path.dirname(current) === current) return current;
    }
  }
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export async function diskCheck(dir = cacheDir(), needed = NEEDED_BYTES): Promise<CheckResult> {
  const where = await existingAncestor(dir);
  try {
    const fs = await statfs(where);
    const free = Number(fs.bavail) * Number(fs.bsize);
    const finding = `${gib(free)} free for ${dir}`;
    if (free >= needed) return ok('disk space', finding);
    return fail('disk space', `${finding}; a local bake needs about ${gib(needed)}`,
      'free space there or point AMIBAKE_CACHE_DIR at a larger disk');
  } catch (error) {
    return fail('disk space', `cannot read free space of ${where}: ${firstLine(error)}`);
  }
}

export async function localChecks(): Promise<CheckResult[]> {
  return [
    await commandCheck('qemu-system-x86_64', 'qemu-system-x86'),
    await commandCheck('qemu-img', 'qemu-utils'),
    await commandCheck('mmdebstrap', 'mmdebstrap'),
    await acceleratorCheck(),
    await diskCheck(),
  ];
}
