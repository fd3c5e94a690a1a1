// Commands and file copies into a local VM through the system ssh client, with time limits.
import { shellQuote } from '../util/shell-quote.js';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';

export interface SshTarget {
  sshPort: number;
  user: string;
  privateKeyFile: string;
}

export interface ExecResult {
  code: number; // the remote command's exit code; 255 when ssh itself failed; 124 on timeout
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// Each boot has fresh host keys, so they are neither checked nor remembered.
export function sshArgs(target: SshTarget): string[] {
  return [
    '-F', '/dev/null',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=5',
    '-o', 'LogLevel=ERROR',
    '-o', 'IdentitiesOnly=yes',
    '-i', target.privateKeyFile,
    '-p', String(target.sshPort),
    `${target.user}@127.0.0.1`,
  ];
}

export function sshExec(
  target: SshTarget,
  command: string,
  timeoutMs: number,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(target), '--', command], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: timedOut ? 124 : (code ?? 255),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: timedOut ? `${stderr}timed out after ${timeoutMs} ms\n` : stderr,
        timedOut,
      });
    });
  });
}

// Streams `sudo cat` of a guest file into hostPath, so root-only files can be fetched too.
export function sshCopyFrom(
  target: SshTarget,
  guestPath: string,
  hostPath: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(hostPath, { mode: 0o600 });
    const child = spawn('ssh', [...sshArgs(target), '--', `sudo cat -- ${shellQuote(guestPath)}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.pipe(file);
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const settle = (): void => {
        if (code === 0) return resolve();
        const why = signal
          ? `timed out after ${timeoutMs} ms`
          : Buffer.concat(err).toString().trim();
        void rm(hostPath, { force: true }).finally(() =>
          reject(new Error(`copy of ${guestPath} failed: ${why || `ssh exited with ${code}`}`)),
        );
      };
      // pipe() ends the file when ssh's stdout ends; wait until it is flushed and closed.
      if (file.closed) settle();
      else file.once('close', settle);
    });
  });
}

