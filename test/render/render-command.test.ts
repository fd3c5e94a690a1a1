// `amibake render` end to end through bin/amibake.js, on the render fixture specs.
import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir, fixtureProvisioners, run, tempDir } from './fixtures.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/amibake.js');

async function amibake(args: string[]) {
  const root = await tempDir('render-cli');
  const env = {
    ...process.env,
    AMIBAKE_IMAGES_DIR: path.join(fixturesDir, 'images'),
    AMIBAKE_PROVISIONERS_DIR: fixtureProvisioners,
    AMIBAKE_BUILD_DIR: path.join(root, 'build'),
    AMIBAKE_CACHE_DIR: path.join(root, 'cache'),
    AMIBAKE_PACKER_VERSION: '1.6.6',
    AMIBAKE_ACCEL: 'tcg',
    AWS_REGION: 'eu-west-1',
  };
  const outcome = await run('node', [bin, 'render', ...args], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  return { ...outcome, build: env.AMIBAKE_BUILD_DIR };
}

interface Entry {
  image: string;
  target: string;
  dir: string;
  files: string[];
}

test('render NAME --json renders every declared target into the build dir', async (t) => {
  const { code, stdout, stderr, build } = await amibake(['lamp', '--json']);
  t.is(code, 0, stderr);
  const entries = JSON.parse(stdout) as Entry[];
  t.deepEqual(entries.map((e) => [e.image, e.target, e.dir]), [
    ['lamp', 'aws', path.join(build, 'lamp', 'aws')],
    ['lamp', 'local', path.join(build, 'lamp', 'local')],
  ]);
  for (const e of entries) {
    t.true(e.files.includes('build.pkr.hcl'));
    for (const f of e.files) await t.notThrowsAsync(stat(path.join(e.dir, f)));
  }
  const local = await readFile(path.join(build, 'lamp', 'local', 'build.pkr.hcl'), 'utf8');
  // No base disk exists in this cache, so the preview points at placeholders under the build dir.
  t.true(local.includes(`file://${path.join(build, 'lamp', 'local', 'preview', 'base.qcow2')}`));
  const aws = await readFile(path.join(build, 'lamp', 'aws', 'build.pkr.hcl'), 'utf8');
  t.regex(aws, /region\s+= "eu-west-1"/);
});

test('render prints one directory per line without --json', async (t) => {
  const { code, stdout, build } = await amibake(['bare']);
  t.is(code, 0);
  t.is(stdout, `${path.join(build, 'bare', 'local')}\n`);
});

test('render --all --target aws skips specs without that target', async (t) => {
  const { code, stdout, stderr } = await amibake(['--all', '--target', 'aws', '--json']);
  t.is(code, 0, stderr);
  const entries = JSON.parse(stdout) as Entry[];
  t.deepEqual(entries.map((e) => e.image), ['lamp', 'minimal']);
  t.regex(stderr, /skipping bare/);
  t.regex(stderr, /minimal: base AMI comes from SSM/);
});

test('render reports usage errors with exit 64', async (t) => {
  t.is((await amibake(['bare', '--target', 'aws'])).code, 64);
  t.is((await amibake(['lamp', '--target', 'local', '--no-provision'])).code, 64);
  t.is((await amibake([])).code, 64);
  t.is((await amibake(['lamp', '--target', 'gcp'])).code, 64);
});

test('render --no-provision --target aws leaves the provisioners out', async (t) => {
  const args = ['lamp', '--target', 'aws', '--no-provision', '--json'];
  const { code, stdout, stderr } = await amibake(args);
  t.is(code, 0, stderr);
  const [entry] = JSON.parse(stdout) as Entry[];
  t.deepEqual(entry.files, ['build.pkr.hcl']);
  const hcl = await readFile(path.join(entry.dir, 'build.pkr.hcl'), 'utf8');
  t.regex(hcl, /communicator\s+= "none"/);
});
