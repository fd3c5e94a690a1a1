// secure-mysql-root.sh against a fake mysql client: the statements it sends, and its refusal
// to report success while anonymous or remote root rows remain.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fakeCommand, readLog, runScript, tempDir } from './harness.js';

function setup(remaining: string) {
  const t = tempDir('secure');
  const bin = path.join(t.dir, 'bin');
  mkdirSync(bin);
  const log = path.join(t.dir, 'mysql.log');
  fakeCommand(bin, 'mysql', log, `case "$*" in *COUNT*) echo ${remaining} ;; esac`);
  return { ...t, log, env: { PATH: `${bin}:/usr/bin:/bin` } };
}

test('anonymous users, remote root rows and the test db go, then the result is checked', (t) => {
  const s = setup('0');
  try {
    const run = runScript('secure-mysql-root', s.env);
    t.is(run.status, 0, run.stderr);
    const log = readLog(s.log);
    t.regex(log, /mysql ARGS --user=root\nSTDIN>\nDELETE FROM mysql\.user WHERE User = '';/);
    t.regex(log, /DELETE FROM mysql\.user WHERE User = 'root' AND Host <> 'localhost';/);
    t.regex(log, /DROP DATABASE IF EXISTS test;\nFLUSH PRIVILEGES;/);
    t.regex(log, /mysql ARGS --user=root -N -B -e SELECT COUNT\(\*\) FROM mysql\.user/);
  } finally {
    s.cleanup();
  }
});

test('rows left behind fail the step with their number', (t) => {
  const s = setup('2');
  try {
    const run = runScript('secure-mysql-root', s.env);
    t.is(run.status, 1);
    t.regex(run.stderr, /2 anonymous or remote root rows remain/);
  } finally {
    s.cleanup();
  }
});
