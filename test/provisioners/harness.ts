// Runs provisioner scripts on this host in temp dirs, with fake commands on PATH that record
// their arguments and stdin, so a test can read back what a script did and in which order.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';

export const scriptsDir = path.join(repoRoot, 'provisioners');

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `amibake-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an executable file. */
export function writeExecutable(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

/**
 * A fake command that appends "ARGS <args>" and, when stdin is not a terminal, its stdin
 * between "STDIN>" and "<STDIN" to `log`, then runs `reply` (shell) to answer.
 */
export function fakeCommand(dir: string, name: string, log: string, reply = ''): void {
  writeExecutable(
    path.join(dir, name),
    [
      '#!/bin/bash',
      `echo "${name} ARGS $*" >> '${log}'`,
      'if [ ! -t 0 ]; then',
      `  { echo "STDIN>"; cat; echo "<STDIN"; } >> '${log}'`,
      'fi',
      reply,
      '',
    ].join('\n'),
  );
}

/** Runs provisioners/<name>.sh with bash and exactly the given environment. */
export function runScript(
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): ScriptRun {
  const started = Date.now();
  const result = spawnSync('/bin/bash', [path.join(scriptsDir, `${name}.sh`)], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: Date.now() - started,
  };
}

export function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** PATH of this host, for scripts that need ordinary tools besides the fakes. */
export const hostPath = process.env.PATH ?? '/usr/bin:/bin';
