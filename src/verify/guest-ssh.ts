// A GuestExec over SSH with a given key: no user ssh config, no agent, a throwaway known_hosts.
import type { GuestExec } from './guest.js';
import { runProgram } from './guest.js';
import { InterruptedError, VerifyError } from '../errors.js';
import { sleep } from './poll.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKeyFile: string;
  /** Where the guest's host key is remembered; it is new on every boot, so never ~/.ssh. */
  knownHostsFile: string;
}

// ssh's own code for "could not connect or authenticate" (the remote command never ran).
export const SSH_FAILED = 255;

export function sshArgs(target: SshTarget, connectTimeoutSeconds = 10): string[] {
  return [
    '-F', '/dev/null',
    '-i', target.privateKeyFile,
    '-p', String(target.port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'StrictHostKeyChecking=accept-new',
    '-o', `UserKnownHostsFile=${target.knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `ConnectTimeout=${connectTimeoutSeconds}`,
    '-o', 'ServerAliveInterval=10',
    '-o', 'LogLevel=ERROR',
    `${target.user}@${target.host}`,
  ];
}

export function sshExec(target: SshTarget): GuestExec {
  // ssh joins its arguments into one remote command line: pass the command as one argument.
  return (cmd, opts) =>
    runProgram('ssh', [...sshArgs(target), '--', cmd], { timeoutMs: opts?.timeoutMs });
}

// Polls until a trivial command runs over SSH, for guests still booting.
export async function waitForSsh(
  exec: GuestExec,
  timeoutMs: number,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const intervalMs = options.intervalMs ?? 3000;
  let last = '';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted while waiting for SSH');
    const attemptMs = Math.min(30_000, Math.max(1000, deadline - Date.now()));
    const result = await exec('true', { timeoutMs: attemptMs });
    if (result.code === 0) return;
    last = result.stderr.trim().split('\n').at(-1) ?? '';
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), options.signal);
  }
  const seconds = Math.round(timeoutMs / 1000);
  throw new VerifyError(`SSH did not answer within ${seconds} s${last ? `: ${last}` : ''}`, {
    hint: 'check that the guest booted and that port 22 is reachable from here',
  });
}
