// Values that look like secrets are warnings that name the field and the kind, never the value.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadAllSpecs, parseSpec } from '../../src/spec/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const provisionersDir = path.join(root, 'test/fixtures/specs/provisioners');
const run = promisify(execFile);

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const PEM_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ';
const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;

const spec = `description: Holds secrets it should not
architecture: x86_64
targets:
  local:
    release: bookworm
debconf:
  - "mysql-server-5.0 mysql-server/root_password password"
steps:
  - script: base-setup
    vars:
      AWS_KEY: ${ACCESS_KEY}
      DB_URL: "mysql://app:password=hunter2hunter2@db"
files:
  - destination: /root/.ssh/id_ed25519
    content: ${JSON.stringify(PEM)}
`;

test('secret-looking values are warnings with field and kind; the spec stays valid', (t) => {
  const parsed = parseSpec(spec, '/specs/leaky.yaml', { provisionersDir });
  t.deepEqual(parsed.problems, []);
  t.truthy(parsed.spec);
  t.deepEqual(
    parsed.warnings.map((w) => [w.line, w.path, /looks like (an? [^;]+);/.exec(w.message)?.[1]]),
    [
      [11, 'steps[0].vars.AWS_KEY', 'an AWS access key id'],
      [12, 'steps[0].vars.DB_URL', 'a password or token'],
      [15, 'files[0].content', 'a private key'],
    ],
  );
  for (const w of parsed.warnings) {
    t.false(w.message.includes(ACCESS_KEY) || w.message.includes(PEM_BODY));
  }
});

test('a debconf password question raises no warning, nor do the seed specs', async (t) => {
  const clean = spec.replace(/steps:[\s\S]*/, '');
  t.deepEqual(parseSpec(clean, '/specs/clean.yaml', { provisionersDir }).warnings, []);
  const seeds = await loadAllSpecs(path.join(root, 'images'));
  t.is(seeds.length, 4);
  t.deepEqual(seeds.flatMap((s) => s.warnings ?? []), []);
});

test('validate prints the warnings, keeps exit 0 and puts them in the JSON', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-secrets-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'leaky.yaml'), spec);
  const env = {
    ...process.env,
    AMIBAKE_IMAGES_DIR: dir,
    AMIBAKE_PROVISIONERS_DIR: provisionersDir,
  };
  const cli = (...args: string[]) =>
    run('node', ['bin/amibake.js', 'validate', 'leaky', ...args], { cwd: root, env });
  const text = await cli();
  const lines = text.stderr.trimEnd().split('\n');
  t.is(lines[0], 'ok leaky');
  t.is(lines.length, 4);
  t.regex(lines[1], /^warning: \S*leaky\.yaml:11:16: steps\[0\]\.vars\.AWS_KEY: looks like an AWS/);
  t.false(text.stderr.includes(ACCESS_KEY) || text.stderr.includes(PEM_BODY));
  const json = JSON.parse((await cli('--json')).stdout) as { ok: boolean; warnings: unknown[] };
  t.true(json.ok);
  t.is(json.warnings.length, 3);
});
