// A throwaway OpenSSH server on 127.0.0.1 standing in for a build machine: one authorized key
// and a `sudo` on PATH that just runs the command (the host may have no sudo, and rendered
// steps run through `sudo -E env ...`). Stopped by PID.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSshd } from '../helpers/sshd.js';

export { SSHD } from '../helpers/sshd.js';

export interface StandIn {
  port: number;
  user: string;
  keyFile: string;
  stop(): Promise<void>;
}

const SUDO_SHIM = '#!/bin/sh\n# Test stand-in: drop sudo\'s options, run the rest.\n' +
  'while [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n';

export async function startStandIn(): Promise<StandIn> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-standin-'));
  const keyFile = path.join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  await mkdir(path.join(dir, 'bin'));
  await writeFile(path.join(dir, 'bin', 'sudo'), SUDO_SHIM, { mode: 0o755 });
  const pathLine = `SetEnv PATH=${path.join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`;
  const sshd = await startSshd([(await readFile(`${keyFile}.pub`, 'utf8')).trim()], [pathLine]);
  const stop = async () => {
    await sshd.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { port: sshd.port, user: sshd.user, keyFile, stop };
}
