// The four seed specs in images/ as this area's scripts see them: they validate, every step
// var is one its script reads, Ubuntu-8-only steps stay off `local`, and the Sakila sources
// match the mirror the tests use.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import { parseSpec } from '../../src/spec/load.js';
import type { Spec } from '../../src/spec/types.js';
import { fakeCommand, readLog, runScript, scriptsDir, tempDir } from './harness.js';

const imagesDir = path.join(repoRoot, 'images');
const NAMES = ['drizzle-dev64', 'drizzle-intrepid-dev32', 'ubuntu804-lamp', 'wafflegrid'];
const SAKILA_DIR =
  process.env.AMIBAKE_SAKILA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data', 'sakila');
// Scripts that build or configure Ubuntu 8.x software and must not run on Debian 12.
const UBUNTU8_ONLY = [
  'preflight-build',
  'build-from-source',
  'init-mysql-from-source',
  'secure-mysql-root',
  'install-init-script',
];

function load(name: string): { text: string; spec: Spec } {
  const file = path.join(imagesDir, `${name}.yaml`);
  const text = readFileSync(file, 'utf8');
  const { spec, problems } = parseSpec(text, file);
  if (!spec) throw new Error(problems.map((p) => `${p.line}: ${p.path}: ${p.message}`).join('\n'));
  return { text, spec };
}

// Var names a script documents in its header comment ("#   NAME   meaning").
function documentedVars(script: string): string[] {
  const text = readFileSync(path.join(scriptsDir, `${script}.sh`), 'utf8');
  return [...text.matchAll(/^#   ([A-Z][A-Z0-9_]*) /gm)].map((m) => m[1]);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

test('images/ holds exactly the four seed specs', (t) => {
  const found = readdirSync(imagesDir).filter((f) => f.endsWith('.yaml')).sort();
  t.deepEqual(found, NAMES.map((n) => `${n}.yaml`));
});

for (const name of NAMES) {
  test(`${name} validates and its step vars are all read by their scripts`, (t) => {
    const { spec } = load(name);
    const unread = (spec.steps ?? []).flatMap((step) => {
      const known = documentedVars(step.script);
      return Object.keys(step.vars ?? {})
        .filter((key) => !known.includes(key))
        .map((key) => `${step.script}: ${key}`);
    });
    t.deepEqual(unread, []);
  });

  test(`${name} keeps Ubuntu-8-only steps off the local target`, (t) => {
    const { spec } = load(name);
    if (!spec.targets.local) {
      t.truthy(spec.targets.aws);
      return;
    }
    const leaking = (spec.steps ?? []).filter(
      (s) => UBUNTU8_ONLY.includes(s.script) && (s.targets ?? ['aws', 'local']).includes('local'),
    );
    t.deepEqual(leaking.map((s) => s.script), []);
  });

  test(`${name} publishes to three regions and names no path under /work`, (t) => {
    const { text, spec } = load(name);
    t.true(new Set(spec.publish?.regions).size >= 3);
    t.false(text.includes('/work/'));
  });

  test(`${name}: every source without a known sha256 says why in availability_note`, (t) => {
    const { spec } = load(name);
    const unexplained = (spec.sources ?? []).filter(
      (s) => /^0{64}$/.test(s.sha256) && !s.availability_note,
    );
    t.deepEqual(unexplained.map((s) => s.name), []);
  });
}

test('drizzle specs have no local target: Drizzle is not in Debian', (t) => {
  t.is(load('drizzle-dev64').spec.targets.local, undefined);
  t.is(load('drizzle-intrepid-dev32').spec.targets.local, undefined);
  t.is(load('drizzle-intrepid-dev32').spec.architecture, 'i386');
});

test('the Sakila sources carry the sha256 of the mirror files', (t) => {
  const { spec } = load('ubuntu804-lamp');
  for (const file of ['sakila-schema.sql', 'sakila-data.sql']) {
    const source = spec.sources?.find((s) => s.name === file);
    t.truthy(source, file);
    t.true(existsSync(path.join(SAKILA_DIR, file)), `mirror has no ${file} in ${SAKILA_DIR}`);
    t.is(source?.sha256, sha256(path.join(SAKILA_DIR, file)));
  }
});

test('the real Sakila files from the mirror reach the client schema first', (t) => {
  const { dir, cleanup } = tempDir('sakila-real');
  try {
    const log = path.join(dir, 'mysql.log');
    const reply = 'case "$*" in *version*) echo 10.11.6 ;; *count*) echo 1000 ;; esac';
    fakeCommand(dir, 'mysql', log, reply);
    const env = { PATH: `${dir}:/usr/bin:/bin`, AMIBAKE_SOURCES_DIR: SAKILA_DIR };
    const run = runScript('load-sakila', env);
    t.is(run.status, 0, run.stderr);
    const text = readLog(log);
    const schema = text.indexOf('-- Sakila Sample Database Schema');
    const data = text.indexOf('INSERT INTO actor VALUES');
    t.true(schema > 0 && data > schema);
  } finally {
    cleanup();
  }
});

test('the LAMP pages say Hello World and run phpinfo()', (t) => {
  const files = path.join(imagesDir, 'files', 'lamp');
  t.regex(readFileSync(path.join(files, 'index.html'), 'utf8'), /Hello World/);
  t.regex(readFileSync(path.join(files, 'info.php'), 'utf8'), /^\s*phpinfo\(\);/m);
});
