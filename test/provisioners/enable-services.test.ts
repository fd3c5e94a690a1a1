// enable-services.sh with fake systemctl, update-rc.d and init scripts: each service is
// enabled and started on either init system, and every failure is named at the end.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fakeCommand, readLog, runScript, tempDir } from './harness.js';

function setup() {
  const t = tempDir('services');
  const bin = path.join(t.dir, 'bin');
  const initDir = path.join(t.dir, 'init.d');
  mkdirSync(bin);
  mkdirSync(initDir);
  const log = path.join(t.dir, 'calls.log');
  // systemctl fails for any unit named "broken".
  fakeCommand(bin, 'systemctl', log, 'case "$*" in *broken*) exit 1 ;; esac');
  fakeCommand(bin, 'update-rc.d', log);
  for (const name of ['apache2', 'mysql']) fakeCommand(initDir, name, log);
  const env = (extra: Record<string, string>) => ({
    PATH: `${bin}:/usr/bin:/bin`,
    INIT_DIR: initDir,
    ...extra,
  });
  return { ...t, log, env };
}

function commands(log: string): string[] {
  return readLog(log).split('\n').filter((l) => l.includes(' ARGS '));
}

test('under systemd each unit is enabled, restarted and checked active, in order', (t) => {
  const s = setup();
  try {
    const vars = { SERVICES: 'apache2 mariadb', INIT_SYSTEM: 'systemd' };
    const run = runScript('enable-services', s.env(vars));
    t.is(run.status, 0, run.stderr);
    t.deepEqual(commands(s.log), [
      'systemctl ARGS enable apache2',
      'systemctl ARGS restart apache2',
      'systemctl ARGS is-active --quiet apache2',
      'systemctl ARGS enable mariadb',
      'systemctl ARGS restart mariadb',
      'systemctl ARGS is-active --quiet mariadb',
    ]);
  } finally {
    s.cleanup();
  }
});

test('under SysV each service gets boot links and is restarted by its init script', (t) => {
  const s = setup();
  try {
    const vars = { SERVICES: 'apache2 mysql', INIT_SYSTEM: 'sysv' };
    const run = runScript('enable-services', s.env(vars));
    t.is(run.status, 0, run.stderr);
    t.deepEqual(commands(s.log), [
      'update-rc.d ARGS apache2 defaults',
      'apache2 ARGS restart',
      'update-rc.d ARGS mysql defaults',
      'mysql ARGS restart',
    ]);
  } finally {
    s.cleanup();
  }
});

test('every service that fails is named, and the others are still enabled', (t) => {
  const s = setup();
  try {
    const sysvVars = { SERVICES: 'nosuch apache2 gone', INIT_SYSTEM: 'sysv' };
    const sysv = runScript('enable-services', s.env(sysvVars));
    t.is(sysv.status, 1);
    t.regex(sysv.stderr, /could not enable and start \(2\): nosuch gone/);
    t.true(commands(s.log).includes('apache2 ARGS restart'));
    const sdVars = { SERVICES: 'broken mariadb', INIT_SYSTEM: 'systemd' };
    const sd = runScript('enable-services', s.env(sdVars));
    t.is(sd.status, 1);
    t.regex(sd.stderr, /could not enable and start \(1\): broken$/m);
  } finally {
    s.cleanup();
  }
});

test('an empty SERVICES or an unknown init system is refused', (t) => {
  const s = setup();
  try {
    const empty = runScript('enable-services', s.env({}));
    t.is(empty.status, 1);
    t.regex(empty.stderr, /SERVICES is empty/);
    const odd = runScript('enable-services', s.env({ SERVICES: 'x', INIT_SYSTEM: 'upstart' }));
    t.is(odd.status, 1);
    t.regex(odd.stderr, /INIT_SYSTEM must be auto, systemd or sysv, got 'upstart'/);
  } finally {
    s.cleanup();
  }
});

test('a SERVICES list spread over lines enables every service on it', (t) => {
  const s = setup();
  try {
    const vars = { SERVICES: 'apache2\nmysql\n', INIT_SYSTEM: 'sysv' };
    const run = runScript('enable-services', s.env(vars));
    t.is(run.status, 0, run.stderr);
    t.deepEqual(commands(s.log).filter((l) => l.endsWith('restart')), [
      'apache2 ARGS restart',
      'mysql ARGS restart',
    ]);
  } finally {
    s.cleanup();
  }
});
