// One way to run a shell command in a guest, whatever the guest is: a local VM, an EC2 instance
// over SSH, or (in tests) the host's own shell. Smoke tests and the audit only see this.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { registerTeardown } from '../local/reaper.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type GuestExec = (cmd: string, opts?: { timeoutMs?: number }) => Promise<ExecResult>;

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
// A command that outlives its timeout reports this code, as coreutils' timeout(1) does.
export const TIMEOUT_CODE = 124;

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

// Runs a program with arguments (no shell on this side), collecting its output; a timeout
// kills it and yields TIMEOUT_CODE rather than throwing, so retries can go on.
export function runProgram(
  program: string,
  args: string[],
  options: RunOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // Ctrl-C or exit of amibake ends the command too (it runs in its own process group).
    const release = registerTeardown({
      onSignal: async () => killGroup(child.pid),
      onExit: () => killGroup(child.pid),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (error) => {
      clearTimeout(timer);
      release();
      resolve({ code: 127, stdout: '', stderr: `${program}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      release();
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: timedOut ? TIMEOUT_CODE : (code ?? (signal ? 128 : 1)),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: timedOut ? `${stderr}timed out after ${options.timeoutMs} ms\n` : stderr,
      });
    });
  });
}

// The child leads its own process group, so a timeout also ends whatever it started.
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

// The host's own bash as a guest: for tests, and for auditing a directory tree.
// bash is found on the caller's PATH once, so a test may give the guest a PATH without it.
export function localShellExec(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): GuestExec {
  const bash = existsSync('/bin/bash') ? '/bin/bash' : 'bash';
  return (cmd, opts) =>
    runProgram(bash, ['-c', cmd], {
      env: options.env,
      cwd: options.cwd,
      timeoutMs: opts?.timeoutMs,
    });
}
