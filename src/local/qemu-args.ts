// The qemu-system-x86_64 command line for a direct-kernel boot of an amibake disk.
import type { Accelerator } from './accel.js';

export interface QemuArgsInput {
  disk: string;
  format: 'qcow2' | 'raw';
  kernel: string;
  initrd: string;
  append: string;
  accelerator: Accelerator;
  memoryMiB: number;
  cpus: number;
  sshPort: number;
  forwards: { guest: number; host: number }[];
  serialLog: string;
  pidFile: string;
  offline: boolean;
}

// The guest reads its login key from here (see base-customise.sh); renderers use the same.
export function kernelAppend(publicKey: string, extra: string[] = []): string {
  const key = Buffer.from(publicKey.trim(), 'utf8').toString('base64');
  const base = ['root=/dev/vda', 'rw', 'console=ttyS0', 'net.ifnames=0'];
  return [...base, ...extra, `amibake.ssh_key=${key}`].join(' ');
}

export function qemuArgs(input: QemuArgsInput): string[] {
  // Host side of every forward is bound to 127.0.0.1 only; restrict=on cuts the guest off
  // the network but keeps the forwards working.
  const forwards = [{ guest: 22, host: input.sshPort }, ...input.forwards]
    .map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`);
  const netdev = ['user', 'id=net0', ...forwards, ...(input.offline ? ['restrict=on'] : [])];
  return [
    '-name', 'amibake-vm',
    '-machine', 'q35',
    '-accel', input.accelerator,
    '-cpu', 'max',
    '-smp', String(input.cpus),
    '-m', `${input.memoryMiB}M`,
    '-nodefaults',
    '-display', 'none',
    '-no-reboot',
    '-kernel', input.kernel,
    '-initrd', input.initrd,
    '-append', input.append,
    // snapshot=on: writes go to a temporary overlay, the disk file itself is never modified.
    '-drive', `file=${escapeOption(input.disk)},if=virtio,format=${input.format},snapshot=on`,
    '-netdev', netdev.join(','),
    '-device', 'virtio-net-pci,netdev=net0',
    '-serial', `file:${input.serialLog}`,
    '-pidfile', input.pidFile,
  ];
}

// QEMU option values escape a comma by doubling it.
function escapeOption(value: string): string {
  return value.replace(/,/g, ',,');
}
