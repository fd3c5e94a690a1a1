// What Packer, Linux or AWS would refuse only after minutes of baking is a spec problem at once.
import test from 'ava';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_STEP_VARS_BYTES } from '../../src/spec/build-limits.js';
import { parseSpec } from '../../src/spec/load.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const provisionersDir = path.join(fixtures, 'specs/provisioners');
const temps: string[] = [];

test.after.always(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

const aws = `description: Limits
architecture: x86_64
targets:
  aws:
    base:
      owners: [amazon]
      name_filter: debian-12-amd64-*
      virtualization: hvm
      root_device: ebs
      distro: debian
    instance_type: t3.micro
`;

function problems(text: string, filesDir = '/nonexistent') {
  return parseSpec(text, '/specs/limits.yaml', { provisionersDir, filesDir }).problems;
}

function withVar(value: string): string {
  return `${aws}steps:\n  - script: base-setup\n    vars:\n      BIG: ${JSON.stringify(value)}\n`;
}

test('step variables up to the command-line limit pass; one byte more is a problem', (t) => {
  // Packer writes BIG='value' followed by a space: 7 bytes around the value.
  const fits = 'x'.repeat(MAX_STEP_VARS_BYTES - "BIG='' ".length);
  t.deepEqual(problems(withVar(fits)), []);
  const over = problems(withVar(`${fits}x`));
  t.is(over.length, 1);
  t.is(over[0].path, 'steps[0].vars');
  t.regex(over[0].message, /take \d+ bytes on Packer's command line.*files:/);
});

test('single quotes count as Packer quotes them, five bytes each', (t) => {
  const quotes = "'".repeat(Math.ceil(MAX_STEP_VARS_BYTES / 5));
  t.is(problems(withVar(quotes)).length, 1);
  t.deepEqual(problems(withVar("'".repeat(1000))), []);
});

test('more tags than AWS allows beside amibake\'s own six are one problem', (t) => {
  const tags = (n: number) =>
    Array.from({ length: n }, (_, i) => `    T${i}: v`).join('\n');
  const spec = (n: number) =>
    `${aws}publish:\n  public: false\n  regions: [us-east-1]\n  tags:\n${tags(n)}\n`;
  t.deepEqual(problems(spec(44)), []);
  const over = problems(spec(45));
  t.deepEqual(over.map((p) => p.path), ['publish.tags']);
  t.regex(over[0].message, /at most 44 may come from the spec \(found: 45\)/);
});

test('an AMI description holds 255 characters; a local-only spec any number', (t) => {
  const long = (n: number, head: string) =>
    head.replace('description: Limits', `description: "${'é'.repeat(n)}"`);
  t.deepEqual(problems(long(255, aws)), []);
  t.is(problems(long(256, aws)).length, 1);
  const local =
    'description: Limits\narchitecture: x86_64\ntargets:\n  local:\n    release: bookworm\n';
  t.deepEqual(problems(long(300, local)), []);
});

test('a file source that is a symlink leading out of files/ is refused', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-limits-'));
  temps.push(root);
  const filesDir = path.join(root, 'files');
  await mkdir(path.join(filesDir, 'etc'), { recursive: true });
  await writeFile(path.join(root, 'credentials'), 'secret');
  await writeFile(path.join(filesDir, 'etc/motd'), 'hello');
  await symlink(path.join(root, 'credentials'), path.join(filesDir, 'leak.txt'));
  await symlink(root, path.join(filesDir, 'up'));
  await symlink('etc/motd', path.join(filesDir, 'motd-link'));
  const spec = (source: string) =>
    `${aws}files:\n  - destination: /etc/x\n    source: ${source}\n`;
  for (const source of ['leak.txt', 'up/credentials']) {
    const found = problems(spec(source), filesDir);
    t.is(found.length, 1, source);
    t.is(found[0].path, 'files[0].source');
    t.regex(found[0].message, /is a symlink to .*credentials, outside images\/files\//);
  }
  t.deepEqual(problems(spec('motd-link'), filesDir), [], 'a link inside files/ is fine');
});
