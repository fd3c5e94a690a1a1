// Boots a disk in qemu (snapshot mode, never modified) and hands back SSH access and teardown.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VerifyError } from '../errors.js';
import { debug, info } from '../log.js';
import type { Accelerator } from './accel.js';
import { createBuildKey } from './keys.js';
import { freePorts } from './ports.js';
import { isAlive, killPid, sleep, waitUntil } from './proc.js';
import { kernelAppend, qemuArgs } from './qemu-args.js';
import { registerTeardown } from './reaper.js';
import { sshCopyFrom, sshExec, type ExecResult } from './ssh.js';

export { kernelAppend } from './qemu-args.js';
export type { ExecResult } from './ssh.js';

export interface VmOptions {
  disk: string;
  format?: 'qcow2' | 'raw'; // default qcow2
  kernel: string;
  initrd: string;
  snapshot: true;
  // Both or neither: without them a fresh key is made for this boot and removed at stop().
  publicKey?: string;
  privateKeyFile?: string;
  user?: string; // default amibake
  accelerator: Accelerator;
  memory?: number; // MiB, default 1024
  cpus?: number; // default 2
  forwards?: { guest: number }[];
  serialLog: string;
  offline?: boolean; // restrict=on: no network for the guest, forwards still work
  extraAppend?: string[]; // more kernel arguments
}

export interface VmHandle {
  pid: number;
  sshPort: number;
  ports: Record<number, number>; // guest port -> host port on 127.0.0.1
  user: string;
  privateKeyFile: string;
  serialLog: string;
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  copyFrom(guestPath: string, hostPath: string, options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;
const QEMU = 'qemu-system-x86_64';

export async function bootVm(options: VmOptions): Promise<VmHandle> {
  if ((options.publicKey === undefined) !== (options.privateKeyFile === undefined)) {
    throw new VerifyError('bootVm: give both publicKey and privateKeyFile, or neither');
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'amibake-vm-'));
  try {
    const key = options.publicKey && options.privateKeyFile
      ? { publicKey: options.publicKey, privateKeyFile: options.privateKeyFile }
      : await createBuildKey(path.join(workDir, 'key'));
    for (let attempt = 1; ; attempt++) {
      const started = await startQemu(options, key.publicKey, workDir);
      if (started.handle) {
        return makeHandle(started.handle, options, key.privateKeyFile, workDir);
      }
      // Another process took a chosen port between freePorts() and qemu's bind: pick again.
      if (!/host forwarding rule|Address already in use/i.test(started.stderr) ||
          attempt >= START_ATTEMPTS) {
        throw new VerifyError(`${QEMU} failed to start: ${started.stderr.trim() || 'no output'}`, {
          hint: `check the disk, kernel and initrd paths; serial log: ${options.serialLog}`,
        });
      }
      debug(`qemu could not bind its ports (attempt ${attempt}); retrying with others`);
    }
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

interface Running {
  pid: number;
  sshPort: number;
  ports: Record<number, number>;
  exited: () => boolean;
  exitPromise: Promise<void>;
  unregister: () => void;
}

async function startQemu(options: VmOptions, publicKey: string, workDir: string) {
  const forwards = options.forwards ?? [];
  const [sshPort, ...hostPorts] = await freePorts(1 + forwards.length);
  const mapped = forwards.map((f, i) => ({ guest: f.guest, host: hostPorts[i] }));
  const args = qemuArgs({
    disk: options.disk,
    format: options.format ?? 'qcow2',
    kernel: options.kernel,
    initrd: options.initrd,
    append: kernelAppend(publicKey, options.extraAppend),
    accelerator: options.accelerator,
    memoryMiB: options.memory ?? 1024,
    cpus: options.cpus ?? 2,
    sshPort,
    forwards: mapped,
    serialLog: options.serialLog,
    pidFile: path.join(workDir, 'qemu.pid'),
    offline: options.offline ?? false,
  });
  // setpriv: the kernel kills qemu if this process dies without running any teardown.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', QEMU, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let hasExited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
    child.once('error', (error) => {
      stderr += String(error);
      hasExited = true;
      resolve();
    });
  });
  if (child.pid === undefined) {
    await exitPromise;
    return { handle: undefined, stderr };
  }
  const pid = child.pid;
  const unregister = registerTeardown({
    onSignal: async () => {
      killPid(pid, 'SIGTERM');
      if (!(await waitUntil(() => hasExited, 3_000))) killPid(pid, 'SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    },
    onExit: () => {
      killPid(pid, 'SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    },
  });
  // qemu binds its forwards and opens the disk within a second or two, or exits saying why.
  await waitUntil(() => hasExited, 2_000);
  if (hasExited) {
    unregister();
    return { handle: undefined, stderr };
  }
  const ports = Object.fromEntries(mapped.map((f) => [f.guest, f.host])) as Record<number, number>;
  const running: Running = {
    pid, sshPort, ports, exited: () => hasExited, exitPromise, unregister,
  };
  await checkPidFile(path.join(workDir, 'qemu.pid'), pid);
  info(`vm: qemu pid ${pid} (${options.accelerator}), ssh on 127.0.0.1:${sshPort}`);
  return { handle: running, stderr };
}

// setpriv execs qemu in place, so the child's PID is qemu's; the pidfile confirms it.
async function checkPidFile(file: string, pid: number): Promise<void> {
  const written = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  if (written !== pid) debug(`qemu pidfile says ${written}, spawned pid ${pid}`);
}

function makeHandle(run: Running, options: VmOptions, privateKeyFile: string, workDir: string) {
  const user = options.user ?? 'amibake';
  const target = { sshPort: run.sshPort, user, privateKeyFile };
  let stopping: Promise<void> | undefined;
  const handle: VmHandle = {
    pid: run.pid,
    sshPort: run.sshPort,
    ports: run.ports,
    user,
    privateKeyFile,
    serialLog: options.serialLog,
    exec: (command, opts) => sshExec(target, command, opts?.timeoutMs ?? 60_000),
    copyFrom: (guestPath, hostPath, opts) =>
      sshCopyFrom(target, guestPath, hostPath, opts?.timeoutMs ?? 120_000),
    stop: () => (stopping ??= stopVm(run, target, workDir)),
  };
  return handle;
}

// Polite first (poweroff), then SIGTERM, then SIGKILL; the artifact is untouched either way.
async function stopVm(run: Running, target: Parameters<typeof sshExec>[0], workDir: string) {
  try {
    if (!run.exited()) {
      await sshExec(target, 'sudo poweroff', 5_000).catch(() => undefined);
      await waitUntil(run.exited, 10_000, 200);
    }
    if (!run.exited()) {
      killPid(run.pid, 'SIGTERM');
      await waitUntil(run.exited, 5_000, 100);
    }
    if (!run.exited()) {
      killPid(run.pid, 'SIGKILL');
      await run.exitPromise;
    }
  } finally {
    run.unregister();
    await rm(workDir, { recursive: true, force: true });
  }
}

// Polls until the guest runs a command over SSH; returns the seconds it took.
export async function waitForSsh(handle: VmHandle, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last: ExecResult | undefined;
  while (Date.now() - started < timeoutMs) {
    if (!isAlive(handle.pid)) {
      throw new VerifyError(`VM (qemu pid ${handle.pid}) exited before SSH answered`, {
        hint: `see the serial log ${handle.serialLog}${await serialTail(handle.serialLog)}`,
      });
    }
    last = await handle.exec('true', { timeoutMs: 20_000 });
    if (last.code === 0) {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      info(`vm: ssh answered after ${seconds} s`);
      return seconds;
    }
    await sleep(2_000);
  }
  throw new VerifyError(`VM (qemu pid ${handle.pid}) gave no SSH within ${timeoutMs / 1000} s`, {
    hint: `last ssh error: ${last?.stderr.trim() || 'none'}; serial log ${handle.serialLog}`,
  });
}

async function serialTail(file: string): Promise<string> {
  try {
    if ((await stat(file)).size === 0) return ' (empty)';
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-5);
    return `; it ends: ${lines.join(' | ')}`;
  } catch {
    return '';
  }
}

// Boots, waits for SSH, runs fn, and always stops the VM afterwards.
export async function withVm<T>(
  options: VmOptions & { sshTimeoutMs?: number },
  fn: (vm: VmHandle) => Promise<T>,
): Promise<T> {
  const vm = await bootVm(options);
  try {
    await waitForSsh(vm, options.sshTimeoutMs ?? 300_000);
    return await fn(vm);
  } finally {
    await vm.stop();
  }
}
