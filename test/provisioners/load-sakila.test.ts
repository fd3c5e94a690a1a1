// load-sakila.sh against fake `mysql` and `drizzle` clients that record every call: the
// order of what reaches the server, and the failures a bake must show early and plainly.
import test from 'ava';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fakeCommand, readLog, runScript, tempDir } from './harness.js';

// Answers `-e` queries: version() from FAKE_VERSION, count(*) from FAKE_FILMS.
const REPLY = [
  'case "$*" in',
  '  *"select version()"*) echo "${FAKE_VERSION:-10.11.6-MariaDB-0+deb12u1}" ;;',
  '  *"count(*) from sakila.film"*) echo "${FAKE_FILMS:-1000}" ;;',
  'esac',
].join('\n');

interface Setup {
  bin: string;
  sources: string;
  log: string;
  cleanup: () => void;
}

function setup(files: string[] = ['sakila-schema.sql', 'sakila-data.sql']): Setup {
  const { dir, cleanup } = tempDir('sakila');
  const bin = path.join(dir, 'bin');
  const sources = path.join(dir, 'sources');
  mkdirSync(bin);
  mkdirSync(sources);
  const log = path.join(dir, 'client.log');
  fakeCommand(bin, 'mysql', log, REPLY);
  fakeCommand(bin, 'drizzle', log, REPLY);
  for (const name of files) {
    writeFileSync(path.join(sources, name), `-- fixture ${name}\nSELECT '${name}';\n`);
  }
  return { bin, sources, log, cleanup };
}

function env(s: Setup, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${s.bin}:/usr/bin:/bin`, AMIBAKE_SOURCES_DIR: s.sources, ...extra };
}

// The lines of the log that show what the server received, in order.
function calls(log: string): string[] {
  return readLog(log)
    .split('\n')
    .filter((l) => /ARGS|DROP DATABASE|fixture/.test(l));
}

test('the old database is dropped, then schema, then data load, then films are counted', (t) => {
  const s = setup();
  try {
    const run = runScript('load-sakila', env(s));
    t.is(run.status, 0, run.stderr);
    const seen = calls(s.log);
    const at = (re: RegExp) => seen.findIndex((l) => re.test(l));
    const version = at(/-e select version\(\)/);
    const drop = at(/DROP DATABASE IF EXISTS sakila;/);
    const schema = at(/fixture sakila-schema\.sql/);
    const data = at(/fixture sakila-data\.sql/);
    const count = at(/-e select count\(\*\) from sakila\.film/);
    t.true(version >= 0 && version < drop, seen.join('\n'));
    t.true(drop < schema && schema < data && data < count, seen.join('\n'));
    t.true(seen.every((l) => !l.includes('ARGS') || l.startsWith('mysql ARGS')));
    t.regex(run.stdout, /sakila\.film has 1000 rows/);
  } finally {
    s.cleanup();
  }
});

test('a second run drops and reloads again, so the step can be repeated', (t) => {
  const s = setup();
  try {
    t.is(runScript('load-sakila', env(s)).status, 0);
    t.is(runScript('load-sakila', env(s)).status, 0);
    const seen = calls(s.log);
    const drops = seen.filter((l) => l.includes('DROP DATABASE')).length;
    const schemas = seen.filter((l) => l.includes('fixture sakila-schema.sql')).length;
    t.is(drops, 2);
    t.is(schemas, 2);
  } finally {
    s.cleanup();
  }
});

test('a missing data file fails before the server is touched, naming file and dir', (t) => {
  const s = setup(['sakila-schema.sql']);
  try {
    const run = runScript('load-sakila', env(s));
    t.is(run.status, 1);
    t.is(run.stderr.trim(),
      `load-sakila: missing in ${s.sources}: sakila-data.sql; list them in the spec's sources`);
    t.is(readLog(s.log), '');
  } finally {
    s.cleanup();
  }
});

test('when both files are missing both are named at once', (t) => {
  const s = setup([]);
  try {
    const run = runScript('load-sakila', env(s));
    t.is(run.status, 1);
    t.regex(run.stderr, /missing in .*: sakila-schema\.sql sakila-data\.sql;/);
  } finally {
    s.cleanup();
  }
});

test('a MySQL older than 5.5 is refused before anything is dropped', (t) => {
  const s = setup();
  try {
    const run = runScript('load-sakila', env(s, { FAKE_VERSION: '5.0.51a-3ubuntu5' }));
    t.is(run.status, 1);
    t.regex(run.stderr, /server 5\.0\.51a-3ubuntu5 is older than 5\.5/);
    t.false(readLog(s.log).includes('DROP DATABASE'));
  } finally {
    s.cleanup();
  }
});

test('CLIENT=drizzle uses the drizzle client and skips the MySQL version check', (t) => {
  const s = setup();
  try {
    const run = runScript('load-sakila', env(s, { CLIENT: 'drizzle' }));
    t.is(run.status, 0, run.stderr);
    const seen = calls(s.log).filter((l) => l.includes('ARGS'));
    t.true(seen.length > 0);
    t.true(seen.every((l) => l.startsWith('drizzle ARGS')));
    t.false(seen.some((l) => l.includes('version()')));
  } finally {
    s.cleanup();
  }
});

test('an unknown client or one not on PATH is refused with the reason', (t) => {
  const s = setup();
  try {
    const bad = runScript('load-sakila', env(s, { CLIENT: 'psql' }));
    t.is(bad.status, 1);
    t.regex(bad.stderr, /CLIENT must be mysql or drizzle, got 'psql'/);
    rmSync(path.join(s.bin, 'mysql'));
    const absent = runScript('load-sakila', env(s));
    t.is(absent.status, 1);
    t.regex(absent.stderr, /client 'mysql' is not on PATH/);
  } finally {
    s.cleanup();
  }
});

test('an empty film table after loading fails the step', (t) => {
  const s = setup();
  try {
    const run = runScript('load-sakila', env(s, { FAKE_FILMS: '0' }));
    t.is(run.status, 1);
    t.regex(run.stderr, /sakila\.film has '0' rows/);
  } finally {
    s.cleanup();
  }
});

test('a server that never answers fails after WAIT_SECONDS', (t) => {
  const s = setup();
  try {
    writeFileSync(path.join(s.bin, 'mysql'), '#!/bin/sh\nexit 1\n');
    const run = runScript('load-sakila', env(s, { WAIT_SECONDS: '1' }));
    t.is(run.status, 1);
    t.regex(run.stderr, /no answer from the server via 'mysql' within 1s/);
    t.true(run.ms < 5000);
  } finally {
    s.cleanup();
  }
});
