// Loading specs: good fixtures parse to the typed shape, names are listed, problems are collected.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpecProblem, SpecError } from '../../src/errors.js';
import {
  displayPath, listSpecNames, loadAllSpecs, loadSpec, parseSpec,
} from '../../src/spec/load.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const specsDir = path.join(fixtures, 'specs');
const provisioners = path.join(specsDir, 'provisioners');
process.env.AMIBAKE_PROVISIONERS_DIR = provisioners;

const minimal =
  'description: Tiny\narchitecture: x86_64\ntargets:\n  local:\n    release: trixie\n';
const temps: string[] = [];

async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-spec-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

test.after.always(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('the minimal fixture loads with its name, file and the sha256 of its bytes', async (t) => {
  const loaded = await loadSpec('minimal', specsDir);
  const bytes = await readFile(path.join(specsDir, 'minimal.yaml'));
  t.is(loaded.name, 'minimal');
  t.is(loaded.file, path.join(specsDir, 'minimal.yaml'));
  t.is(loaded.hash, createHash('sha256').update(bytes).digest('hex'));
  t.deepEqual(loaded.spec, {
    description: 'Minimal fixture image',
    architecture: 'x86_64',
    targets: { local: { release: 'bookworm' } },
  });
});

test('the full fixture keeps strings as strings and every smoke type', async (t) => {
  const { spec } = await loadSpec('full', specsDir);
  t.deepEqual(spec.targets.aws?.base.owners, ['136693071363', 'amazon']);
  t.is(spec.targets.aws?.encrypted, true);
  t.deepEqual(spec.files?.map((f) => f.mode), ['0644', '644']);
  t.deepEqual(spec.smoke?.map((s) => s.type), ['sql', 'http', 'command', 'service']);
  const http = spec.smoke?.find((s) => s.type === 'http');
  t.is(http?.type === 'http' ? http.port : undefined, '80');
  t.deepEqual(spec.steps?.[1].vars, { APP_DIR: '/opt/app', DB_NAME: 'app' });
  t.deepEqual(spec.publish?.tags, { team: 'platform', 'cost-center': '42' });
  t.is(spec.rebuild?.schedule, '0 3 * * 1');
});

test('listSpecNames lists only .yaml files, sorted, and an absent dir has none', async (t) => {
  const dir = await tempDir({ 'web.yaml': minimal, 'db.yaml': minimal, 'a.yml': '', 'x.txt': '' });
  t.deepEqual(await listSpecNames(dir), ['db', 'web']);
  t.deepEqual(await listSpecNames(path.join(dir, 'missing')), []);
  t.deepEqual(await listSpecNames(specsDir), ['full', 'minimal']);
});

test('an unknown spec name names the images dir and the known specs', async (t) => {
  const error = await t.throwsAsync(loadSpec('webserver', specsDir), { instanceOf: SpecError });
  t.is(error?.problems.length, 1);
  const expected = /no spec "webserver" in \S*fixtures\/specs \(known: full, minimal\)/;
  t.regex(error?.message ?? '', expected);
  t.is(error?.exitCode, 2);
});

test('a spec name that could leave the images dir is refused before any read', async (t) => {
  const escape = loadSpec('../specs/minimal', specsDir);
  const error = await t.throwsAsync(escape, { instanceOf: SpecError });
  t.regex(error?.message ?? '', /give a spec by its name, not its file name or path .*"minimal"/);
  const outside = await t.throwsAsync(loadSpec('../../etc/passwd', specsDir));
  t.regex(outside?.message ?? '', /spec names are lower-case letters, digits and "-"/);
});

test('loadAllSpecs throws one error with the problems of every bad file', async (t) => {
  const dir = await tempDir({
    'good.yaml': minimal,
    'bad-arch.yaml': minimal.replace('x86_64', 'm68k'),
    'bad-release.yaml': minimal.replace('release: trixie', 'release: 12'),
  });
  const error = await t.throwsAsync(loadAllSpecs(dir), { instanceOf: SpecError });
  const lines = error?.problems.map((p) =>
    formatSpecProblem({ ...p, file: path.basename(p.file) }));
  t.deepEqual(lines, [
    'bad-arch.yaml:2:15: architecture: expected one of x86_64, i386, arm64 (found: m68k)',
    'bad-release.yaml:5:14: targets.local.release: expected a string such as "12"; quote it',
  ]);
});

test('loadAllSpecs returns every spec when all are valid', async (t) => {
  const all = await loadAllSpecs(specsDir);
  t.deepEqual(all.map((s) => s.name), ['full', 'minimal']);
});

test('parseSpec is pure: it looks up scripts and files in the dirs it is given', async (t) => {
  const text = `${minimal}steps:\n  - script: only-here\n` +
    'files:\n  - destination: /a\n    source: a.txt\n';
  const missing = parseSpec(text, '/nowhere/x.yaml', { provisionersDir: provisioners });
  t.is(missing.spec, undefined);
  t.deepEqual(missing.problems.map((p) => p.path), ['steps[0].script', 'files[0].source']);
  t.is(missing.problems[0].file, '/nowhere/x.yaml');
  const dir = await tempDir({ 'only-here.sh': '', 'a.txt': 'a' });
  const found = parseSpec(text, '/nowhere/x.yaml', { provisionersDir: dir, filesDir: dir });
  t.deepEqual(found.problems, []);
  t.is(found.spec?.steps?.[0].script, 'only-here');
});

test('a file source may sit in a subdirectory of files/ but not be a directory', async (t) => {
  const dir = await tempDir({});
  await mkdir(path.join(dir, 'files/etc'), { recursive: true });
  await writeFile(path.join(dir, 'files/etc/motd'), 'hi');
  const spec = (source: string) =>
    `${minimal}files:\n  - destination: /etc/motd\n    source: ${source}\n`;
  t.deepEqual(parseSpec(spec('etc/motd'), path.join(dir, 's.yaml')).problems, []);
  const problems = parseSpec(spec('etc'), path.join(dir, 's.yaml')).problems;
  t.deepEqual(problems.map((p) => p.message), [
    'images/files/etc is not a file; name a file in it',
  ]);
});

test('problems name files relative to the current dir when that is shorter', (t) => {
  t.is(displayPath(path.join(process.cwd(), 'images/web.yaml')), path.join('images', 'web.yaml'));
  t.is(displayPath('/'), '/');
  t.is(displayPath('relative/as-given.yaml'), 'relative/as-given.yaml');
});
