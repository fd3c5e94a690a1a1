import test from 'ava';
import { kernelAppend, qemuArgs, type QemuArgsInput } from '../../src/local/qemu-args.js';

const input: QemuArgsInput = {
  disk: '/cache/a,b/base.qcow2', format: 'qcow2', kernel: '/k', initrd: '/i', append: 'x',
  accelerator: 'tcg', memoryMiB: 1024, cpus: 2, sshPort: 40022,
  forwards: [{ guest: 3306, host: 43306 }], serialLog: '/tmp/s.log', pidFile: '/tmp/q.pid',
  offline: false,
};

const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

test('the kernel command line carries the public key as base64 the guest can decode', (t) => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH9 amibake-1';
  const append = kernelAppend(key, ['quiet']);
  t.regex(append, /^root=\/dev\/vda rw console=ttyS0 net\.ifnames=0 quiet amibake\.ssh_key=\S+$/);
  const encoded = /amibake\.ssh_key=(\S+)/.exec(append)![1];
  t.is(Buffer.from(encoded, 'base64').toString('utf8'), key);
});

test('every forward listens on 127.0.0.1 only, SSH first', (t) => {
  const netdev = valueOf(qemuArgs(input), '-netdev');
  t.is(netdev, 'user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=tcp:127.0.0.1:43306-:3306');
});

test('offline adds restrict=on and keeps the forwards', (t) => {
  const netdev = valueOf(qemuArgs({ ...input, offline: true }), '-netdev');
  t.regex(netdev, /hostfwd=tcp:127\.0\.0\.1:40022-:22.*,restrict=on$/);
});

test('the disk is opened in snapshot mode with commas in its path escaped', (t) => {
  const args = qemuArgs(input);
  t.is(valueOf(args, '-drive'), 'file=/cache/a,,b/base.qcow2,if=virtio,format=qcow2,snapshot=on');
  t.is(valueOf(args, '-accel'), 'tcg');
  t.is(valueOf(args, '-display'), 'none');
  t.is(valueOf(args, '-serial'), 'file:/tmp/s.log');
  t.is(valueOf(args, '-pidfile'), '/tmp/q.pid');
});
