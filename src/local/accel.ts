// Chooses QEMU's accelerator: KVM only when a real KVM module is loaded and /dev/kvm opens rw.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

export type Accelerator = 'kvm' | 'tcg';

export interface AcceleratorChoice {
  accelerator: Accelerator;
  reason: string;
}

export interface DetectOptions {
  // Both exist so tests can point detection at a fake /sys/module and device.
  sysModuleDir?: string;
  kvmDevice?: string;
  env?: NodeJS.ProcessEnv;
}

const REAL_KVM_MODULES = ['kvm_intel', 'kvm_amd'];

export async function detectAccelerator(options: DetectOptions = {}): Promise<AcceleratorChoice> {
  const env = options.env ?? process.env;
  const forced = forcedAccelerator(env.AMIBAKE_ACCEL);
  if (forced) return { accelerator: forced, reason: `forced by AMIBAKE_ACCEL=${forced}` };

  const moduleDir = options.sysModuleDir ?? '/sys/module';
  const device = options.kvmDevice ?? '/dev/kvm';
  const realModule = await findRealKvmModule(moduleDir);
  if (!realModule) {
    // A nested module such as kvm_pvm serves /dev/kvm too, but stock kernels hang under it.
    const others = await otherKvmModules(moduleDir);
    const seen = others.length > 0 ? ` (loaded: ${others.join(', ')})` : '';
    return {
      accelerator: 'tcg',
      reason: `no kvm_intel or kvm_amd module in ${moduleDir}${seen}; ` +
        'any other KVM provider is not trusted to boot stock kernels, so using TCG emulation',
    };
  }
  const problem = await cannotOpenReadWrite(device);
  if (problem) {
    return {
      accelerator: 'tcg',
      reason: `${realModule} is loaded but ${device} does not open read-write (${problem}); ` +
        'add the user to the kvm group to use KVM',
    };
  }
  return { accelerator: 'kvm', reason: `${realModule} is loaded and ${device} opens read-write` };
}

function forcedAccelerator(value: string | undefined): Accelerator | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'kvm' || value === 'tcg') return value;
  throw new UsageError(`AMIBAKE_ACCEL="${value}" is not an accelerator`, {
    hint: 'set AMIBAKE_ACCEL to kvm or tcg, or unset it to detect',
  });
}

async function findRealKvmModule(moduleDir: string): Promise<string | undefined> {
  for (const name of REAL_KVM_MODULES) {
    if (await exists(path.join(moduleDir, name))) return name;
  }
  return undefined;
}

async function otherKvmModules(moduleDir: string): Promise<string[]> {
  try {
    return (await readdir(moduleDir)).filter((n) => n.startsWith('kvm') && n !== 'kvm').sort();
  } catch {
    return [];
  }
}

async function cannotOpenReadWrite(device: string): Promise<string | undefined> {
  try {
    const handle = await open(device, 'r+');
    await handle.close();
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
