// `amibake render` as a user runs it: the same bytes every time, a preview Packer validates,
// every spec checked before anything is written, and write failures named with exit 3.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const fixtures = path.join(repoRoot, 'test/fixtures/render');
const roots: string[] = [];

test.after.always(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-cli-render-'));
  roots.push(root);
  return root;
}

function envFor(root: string, images = path.join(fixtures, 'images')): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AMIBAKE_IMAGES_DIR: images,
    AMIBAKE_PROVISIONERS_DIR: path.join(fixtures, 'provisioners'),
    AMIBAKE_BUILD_DIR: path.join(root, 'build'),
    AMIBAKE_CACHE_DIR: path.join(root, 'cache'),
    AMIBAKE_PACKER_VERSION: '1.6.6',
    AMIBAKE_ACCEL: 'tcg',
    CHECKPOINT_DISABLE: '1',
  };
}

// Every rendered file (the preview's throwaway key aside) with its bytes.
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (full.includes(`${path.sep}key${path.sep}`)) continue;
    files.set(path.relative(dir, full), await readFile(full, 'latin1'));
  }
  return files;
}

test('rendering twice writes the same bytes', async (t) => {
  const root = await scratch();
  const first = await runCli(['render', 'lamp'], envFor(root));
  t.is(first.code, 0, first.stderr);
  const before = await snapshot(path.join(root, 'build'));
  t.true(before.has('lamp/aws/build.pkr.hcl'));
  t.is((await runCli(['render', 'lamp'], envFor(root))).code, 0);
  t.deepEqual(await snapshot(path.join(root, 'build')), before);
});

test('the preview of both targets passes packer validate as rendered', async (t) => {
  const root = await scratch();
  const rendered = await runCli(['render', 'lamp', '--json'], envFor(root));
  t.is(rendered.code, 0, rendered.stderr);
  const dirs = (JSON.parse(rendered.stdout) as { dir: string }[]).map((r) => r.dir);
  t.is(dirs.length, 2);
  for (const cwd of dirs) {
    const env = { PATH: process.env.PATH, HOME: root, CHECKPOINT_DISABLE: '1' };
    const check = await run('packer', ['validate', 'build.pkr.hcl'], { cwd, env }).catch((e) => e);
    t.is(check.code ?? 0, 0, `${cwd}: ${check.stdout ?? ''}${check.stderr ?? ''}`);
  }
});

test('a build dir that cannot be written is a render error naming the path', async (t) => {
  const root = await scratch();
  await writeFile(path.join(root, 'build'), 'a file where the build dir should be');
  const result = await runCli(['render', 'bare'], envFor(root));
  t.is(result.code, 3, result.stderr);
  t.regex(result.stderr, /^amibake: cannot write \S+build\/bare\/local\S*: .*\(ENOTDIR\)\n/);
  t.regex(result.stderr, /hint: .*AMIBAKE_BUILD_DIR/);
  t.notRegex(result.stderr, /unexpected error/);
});

test('render --all lists the problems of every bad spec and writes nothing', async (t) => {
  const root = await scratch();
  const images = path.join(root, 'images');
  await mkdir(images);
  const good = await readFile(path.join(fixtures, 'images', 'bare.yaml'), 'utf8');
  await writeFile(path.join(images, 'a-good.yaml'), good);
  const sparc = good.replace(/architecture: \S+/, 'architecture: sparc');
  await writeFile(path.join(images, 'b-bad.yaml'), sparc);
  await writeFile(path.join(images, 'c-bad.yaml'), `${good}unknown: 1\n`);
  const result = await runCli(['render', '--all'], envFor(root, images));
  t.is(result.code, 2);
  t.regex(result.stderr, /b-bad\.yaml:\d+:\d+: architecture: /);
  t.regex(result.stderr, /c-bad\.yaml:\d+:\d+: unknown: unknown key/);
  t.is(result.stdout, '');
  await t.throwsAsync(readdir(path.join(root, 'build')), { code: 'ENOENT' });
});

test('render prints a spec\'s warnings on stderr and still renders', async (t) => {
  const root = await scratch();
  const images = path.join(root, 'images');
  await mkdir(images);
  const bare = await readFile(path.join(fixtures, 'images', 'bare.yaml'), 'utf8');
  const leaky =
    `${bare.trimEnd()}\nfiles:\n  - destination: /etc/key\n    content: AKIAIOSFODNN7EXAMPLE\n`;
  await writeFile(path.join(images, 'leaky.yaml'), leaky);
  const result = await runCli(['render', 'leaky'], envFor(root, images));
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /warning: \S+leaky\.yaml:\d+:\d+: files\[0\]\.content: looks like an AWS/);
  t.false(result.stderr.includes('AKIAIOSFODNN7EXAMPLE'));
});
