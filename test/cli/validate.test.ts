// `amibake validate` when the images directory or the name is not what the user meant: one
// clear line saying what is wrong and what to do, never an unexpected error.
import test from 'ava';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const specs = path.join(repoRoot, 'test/fixtures/specs');
const roots: string[] = [];

test.after.always(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function imagesDir(files: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-cli-validate-'));
  roots.push(root);
  const dir = path.join(root, 'images');
  await mkdir(dir);
  for (const [name, from] of Object.entries(files)) await copyFile(from, path.join(dir, name));
  return dir;
}

function validate(images: string, ...args: string[]) {
  const env = {
    ...process.env,
    AMIBAKE_IMAGES_DIR: images,
    AMIBAKE_PROVISIONERS_DIR: path.join(specs, 'provisioners'),
  };
  return runCli(['validate', ...args], env);
}

test('an images directory that does not exist is named as such', async (t) => {
  const missing = path.join(await imagesDir(), 'nope');
  const all = await validate(missing, '--all');
  t.is(all.code, 64);
  t.regex(all.stderr, /^amibake: the images directory \S+nope does not exist\n/);
  const one = await validate(missing, 'web');
  t.is(one.code, 2);
  t.regex(one.stderr, /no spec "web": the images directory \S+nope does not exist/);
});

test('an images directory that is a file is a usage error, not an unexpected one', async (t) => {
  const file = path.join(await imagesDir(), 'specs.yaml');
  await writeFile(file, 'not a directory');
  const result = await validate(file, '--all');
  t.is(result.code, 64);
  t.regex(result.stderr, /the images directory \S+specs\.yaml is not a directory/);
  t.notRegex(result.stderr, /unexpected/);
});

test('a file name or path given for a spec name suggests the name', async (t) => {
  const dir = await imagesDir({ 'minimal.yaml': path.join(specs, 'minimal.yaml') });
  for (const given of ['minimal.yaml', path.join(dir, 'minimal.yaml')]) {
    const result = await validate(dir, given);
    t.is(result.code, 2);
    t.regex(result.stderr, /give a spec by its name, not its file name or path .*use "minimal"/);
  }
});

test('a spec saved as .yml is pointed out with the rename that fixes it', async (t) => {
  const dir = await imagesDir({ 'web.yml': path.join(specs, 'minimal.yaml') });
  const result = await validate(dir, 'web');
  t.is(result.code, 2);
  t.regex(result.stderr, /no spec "web", but there is web\.yml; .*rename it to web\.yaml/);
});
