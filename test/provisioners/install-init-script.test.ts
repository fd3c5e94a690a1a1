// install-init-script.sh writes a SysV script for a foreground daemon; the script it writes
// passes shellcheck as sh and really starts, reports and stops a fake daemon on this host.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hostPath, runScript, tempDir, writeExecutable } from './harness.js';

function setup() {
  const t = tempDir('init');
  const daemon = path.join(t.dir, 'fake-drizzled');
  // Prints its arguments, then stays in the foreground like drizzled.
  writeExecutable(daemon, '#!/bin/sh\necho "started with $*"\nexec sleep 300\n');
  const env = {
    PATH: hostPath,
    SERVICE_NAME: 'fake-drizzle',
    DAEMON: daemon,
    RUN_AS: 'root',
    DATA_DIR: path.join(t.dir, 'data'),
    LOG_FILE: path.join(t.dir, 'log/fake-drizzle.log'),
    INIT_DIR: path.join(t.dir, 'init.d'),
    PID_DIR: path.join(t.dir, 'run'),
    REGISTER: '0',
  };
  return { ...t, env, script: path.join(t.dir, 'init.d/fake-drizzle') };
}

function service(script: string, action: string) {
  return spawnSync('sh', [script, action], { encoding: 'utf8', env: { PATH: hostPath } });
}

test('the written init script is executable, LSB-headed and clean under shellcheck -s sh', (t) => {
  const s = setup();
  try {
    const run = runScript('install-init-script', s.env);
    t.is(run.status, 0, run.stderr);
    t.is(statSync(s.script).mode & 0o777, 0o755);
    const text = readFileSync(s.script, 'utf8');
    t.regex(text, /^# Provides: +fake-drizzle$/m);
    t.regex(text, new RegExp(`^DAEMON_ARGS='--datadir=${s.env.DATA_DIR}'$`, 'm'));
    const lint = spawnSync('shellcheck', ['-s', 'sh', s.script], { encoding: 'utf8' });
    t.is(`${lint.stdout}${lint.stderr}`, '');
    t.true(existsSync(s.env.DATA_DIR));
  } finally {
    s.cleanup();
  }
});

test('the script starts the daemon with its args, reports it, and stops it', (t) => {
  const s = setup();
  const pidFile = path.join(s.env.PID_DIR, 'fake-drizzle.pid');
  try {
    t.is(runScript('install-init-script', s.env).status, 0);
    const start = service(s.script, 'start');
    t.is(start.status, 0, start.stderr);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    t.true(pid > 0);
    t.is(service(s.script, 'status').status, 0);
    t.regex(readFileSync(s.env.LOG_FILE, 'utf8'), /started with --datadir=/);
    t.regex(service(s.script, 'start').stdout, /already running/);
    t.is(service(s.script, 'stop').status, 0);
    t.is(service(s.script, 'status').status, 3);
    t.false(existsSync(pidFile));
  } finally {
    // Stop the daemon by its recorded pid if an assertion failed before `stop`.
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()));
      } catch {
        // already gone
      }
    }
    s.cleanup();
  }
});

test('a daemon path that is not executable is refused before anything is written', (t) => {
  const s = setup();
  try {
    const run = runScript('install-init-script', { ...s.env, DAEMON: '/usr/local/sbin/nothing' });
    t.is(run.status, 1);
    t.regex(run.stderr, /\/usr\/local\/sbin\/nothing is not an executable; build or install it/);
    t.false(existsSync(s.script));
  } finally {
    s.cleanup();
  }
});

test('a value with a single quote is refused, since it would break the quoting', (t) => {
  const s = setup();
  try {
    const run = runScript('install-init-script', { ...s.env, DAEMON_ARGS: "--x='y'" });
    t.is(run.status, 1);
    t.regex(run.stderr, /DAEMON_ARGS may not contain a single quote/);
  } finally {
    s.cleanup();
  }
});
