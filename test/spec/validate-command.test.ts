// `amibake validate` run as a user runs it: exit codes, "ok" lines, problems, JSON.
import test from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function validate(imagesDir: string, ...args: string[]): Promise<Run> {
  const env = {
    ...process.env,
    AMIBAKE_IMAGES_DIR: imagesDir,
    AMIBAKE_PROVISIONERS_DIR: path.join(fixtures, 'specs/provisioners'),
  };
  return new Promise((resolve) => {
    const argv = ['bin/amibake.js', 'validate', ...args];
    execFile('node', argv, { cwd: root, env }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('validate --all on clean specs exits 0 and says ok for each', async (t) => {
  const run = await validate(path.join(fixtures, 'specs'), '--all');
  t.is(run.code, 0);
  t.is(run.stderr, 'ok full\nok minimal\n');
  t.is(run.stdout, '');
});

test('validate exits 2 and prints one line per problem, naming file, line and field', async (t) => {
  const dir = path.join(fixtures, 'bad-specs');
  const run = await validate(dir, 'mode-as-number', 'bad-architecture');
  t.is(run.code, 2);
  t.deepEqual(run.stderr.trimEnd().split('\n'), [
    'test/fixtures/bad-specs/mode-as-number.yaml:9:11: files[0].mode: ' +
      'expected a string such as "0644"; quote it',
    'test/fixtures/bad-specs/bad-architecture.yaml:2:15: architecture: ' +
      'expected one of x86_64, i386, arm64 (found: amd64)',
  ]);
});

test('validate --json prints the result to stdout, problems included', async (t) => {
  const good = await validate(path.join(fixtures, 'specs'), 'minimal', '--json');
  t.is(good.code, 0);
  const clean = JSON.parse(good.stdout);
  t.true(clean.ok);
  t.deepEqual(clean.specs.map((s: { name: string }) => s.name), ['minimal']);
  t.regex(clean.specs[0].hash, /^[0-9a-f]{64}$/);

  const bad = await validate(path.join(fixtures, 'bad-specs'), 'missing-owners', '--json');
  t.is(bad.code, 2);
  const failed = JSON.parse(bad.stdout);
  t.false(failed.ok);
  t.deepEqual(failed.problems, [{
    file: 'test/fixtures/bad-specs/missing-owners.yaml',
    line: 6,
    column: 7,
    path: 'targets.aws.base.owners',
    message: 'missing required key "owners"',
  }]);
});

test('validate without a name or --all is a usage error (64)', async (t) => {
  const run = await validate(path.join(fixtures, 'specs'));
  t.is(run.code, 64);
  t.regex(run.stderr, /name a spec or give --all/);
});

test('validate of an unknown name exits 2 and lists the known specs', async (t) => {
  const run = await validate(path.join(fixtures, 'specs'), 'nginx');
  t.is(run.code, 2);
  t.regex(run.stderr, /no spec "nginx" in test\/fixtures\/specs \(known: full, minimal\)/);
});
