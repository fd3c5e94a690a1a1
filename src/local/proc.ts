// Child processes that cannot outlive amibake: own process group, parent-death signal, reaper.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { registerTeardown } from './reaper.js';

export interface TrackedResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrackedOptions {
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

// Runs a command with its output appended to logFile. The kernel kills it if amibake dies
// (setpriv --pdeathsig), and the reaper ends its whole process group on Ctrl-C.
export function runTracked(
  command: string,
  args: string[],
  options: TrackedOptions,
): Promise<TrackedResult> {
  const fd = openSync(options.logFile, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', command, ...args], {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(fd);
  const pid = child.pid;
  let exited = false;
  const exitedPromise = new Promise<TrackedResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  if (pid === undefined) return exitedPromise;
  const unregister = registerTeardown({
    onSignal: async () => {
      killGroup(pid, 'SIGTERM');
      if (!(await waitUntil(() => exited, 5_000))) killGroup(pid, 'SIGKILL');
    },
    onExit: () => killGroup(pid, 'SIGKILL'),
  });
  return exitedPromise.finally(unregister);
}

// pid must be one amibake spawned; 0, -1 or 1 would signal far more than that.
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (!(pid > 1)) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function killPid(pid: number, signal: NodeJS.Signals): void {
  if (!(pid > 1)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export { isAlive } from '../util/pid.js';

export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  stepMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
