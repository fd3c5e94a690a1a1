// Every provisioner script is bash with strict mode, LF endings, 100-column lines, passes
// `bash -n` and shellcheck, and avoids bash 4 features that Ubuntu 8.x's bash 3.2 lacks.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scriptsDir, tempDir } from './harness.js';

const scripts = readdirSync(scriptsDir).filter((f) => f.endsWith('.sh')).sort();

// Constructs added in bash 4+: mapfile/readarray, associative arrays, case modification,
// coproc, |& and &>>. Ubuntu 8.04 and 8.10 ship bash 3.2.
const BASH4_ONLY: Array<[RegExp, string]> = [
  [/\b(mapfile|readarray)\b/, 'mapfile/readarray'],
  [/\b(declare|local|typeset)\s+-[a-zA-Z]*A/, 'associative array'],
  [/\$\{[^}]*(,,|\^\^)[^}]*\}/, 'case modification'],
  [/\bcoproc\b/, 'coproc'],
  [/\|&/, '|&'],
  [/&>>/, '&>>'],
];

function shellcheck(file: string): { status: number | null; output: string } {
  const r = spawnSync('shellcheck', ['--shell=bash', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('the provisioners directory holds the scripts the specs use', (t) => {
  for (const name of [
    'preflight-build.sh',
    'build-from-source.sh',
    'load-sakila.sh',
    'install-init-script.sh',
    'enable-services.sh',
    'secure-mysql-root.sh',
    'init-mysql-from-source.sh',
  ]) {
    t.true(scripts.includes(name), `${name} is missing`);
  }
});

for (const name of scripts) {
  const file = path.join(scriptsDir, name);
  const text = readFileSync(file, 'utf8');

  test(`${name} starts with env bash, sets strict mode and uses LF only`, (t) => {
    t.true(text.startsWith('#!/usr/bin/env bash\n'));
    t.regex(text, /^set -euo pipefail$/m);
    t.false(text.includes('\r'));
    const long = text.split('\n').filter((line) => line.length > 100);
    t.deepEqual(long, []);
  });

  test(`${name} passes bash -n`, (t) => {
    const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    t.is(r.status, 0, r.stderr);
  });

  test(`${name} passes shellcheck with no warnings`, (t) => {
    const r = shellcheck(file);
    t.is(r.output, '');
    t.is(r.status, 0);
  });

  test(`${name} uses no bash 4-only construct`, (t) => {
    const code = text.split('\n').filter((line) => !line.trimStart().startsWith('#'));
    const found = BASH4_ONLY.filter(([re]) => code.some((line) => re.test(line)));
    t.deepEqual(found.map(([, label]) => label), []);
  });
}

test('the shellcheck run used above does report a real warning', (t) => {
  const { dir, cleanup } = tempDir('lint');
  try {
    const bad = path.join(dir, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\nname=$1\nrm -rf $name/tmp\n');
    const r = shellcheck(bad);
    t.not(r.status, 0);
    t.regex(r.output, /SC2086/);
  } finally {
    cleanup();
  }
});

test('the bash 4 check catches mapfile and associative arrays', (t) => {
  const sample = ['mapfile -t lines < f', 'local -A seen', 'echo "${x,,}"'];
  const hits = sample.map((line) => BASH4_ONLY.some(([re]) => re.test(line)));
  t.deepEqual(hits, [true, true, true]);
});
