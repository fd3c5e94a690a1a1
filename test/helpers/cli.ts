// Runs the amibake CLI as a child process, the way a user does, and collects what it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../../src/paths.js';

export interface CliResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when stderr has printed text matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const child = spawn('node', ['bin/amibake.js', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const watcher of [...watchers]) watcher();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stderr.slice(-3000)}`)), timeoutMs);
      const check = () => {
        if (!pattern.test(stderr)) return;
        clearTimeout(timer);
        watchers.splice(watchers.indexOf(check), 1);
        resolve();
      };
      watchers.push(check);
      check();
      void done.then(() => {
        clearTimeout(timer);
        if (!pattern.test(stderr)) reject(new Error(`exited before ${pattern}:\n${stderr.slice(-3000)}`));
      });
    });
  return { child, waitFor, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}
