// A throwaway OpenSSH server on 127.0.0.1 standing in for a build machine: its own host key,
// one authorized key, and a `sudo` on PATH that just runs the command (the host may have no
// sudo, and rendered steps run through `sudo -E env ...`). Stopped by PID.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/local/ports.js';

export const SSHD = '/usr/sbin/sshd';

export interface StandIn {
  port: number;
  user: string;
  keyFile: string;
  stop(): Promise<void>;
}

const SUDO_SHIM = '#!/bin/sh\n# Test stand-in: drop sudo\'s options, run the rest.\n' +
  'while [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n';

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startStandIn(): Promise<StandIn> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-standin-'));
  const keyFile = path.join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${keyFile}.pub`));
  await chmod(path.join(dir, 'authorized_keys'), 0o600);
  await mkdir(path.join(dir, 'bin'));
  await writeFile(path.join(dir, 'bin', 'sudo'), SUDO_SHIM, { mode: 0o755 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    'LogLevel ERROR',
    `SetEnv PATH=${path.join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
  ];
  await writeFile(path.join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not listen on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, user: os.userInfo().username, keyFile, stop };
}
