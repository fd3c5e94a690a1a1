import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../../src/errors.js';
import { hclList, hclMap, hclScalar, hclString, PackerToken } from '../../src/render/hcl-escape.js';
import { hasCommand, packerEnv, run, tempDir } from './fixtures.js';

const tricky = [
  'plain',
  'say "hi"',
  'a & b < c > d = e',
  'back`tick` $(uname)',
  '$HOME and $$ and a lone $',
  'interp ${var.x} and $${already}',
  'directive %{ if true }x%{ endif } and %%{',
  'C:\\path\\to\\file \\n not a newline',
  'two\nlines\r\nand\ttab',
  "single 'quotes'",
  'unicode ünï ✓',
  '',
];

test('hcl escapes quotes, backslashes, control characters and template sigils', (t) => {
  t.is(hclString('say "hi"'), '"say \\"hi\\""');
  t.is(hclString('a\\b'), '"a\\\\b"');
  t.is(hclString('x\ny\tz\r'), '"x\\ny\\tz\\r"');
  t.is(hclString('${x}'), '"$${x}"');
  t.is(hclString('%{x}'), '"%%{x}"');
  t.is(hclString('$${x}'), '"$$${x}"');
  t.is(hclString('bell\u0007'), '"bell\\u0007"');
  t.is(hclString('& < = `'), '"& < = `"');
});

test('hcl refuses a NUL byte, which Packer cannot pass on', (t) => {
  t.throws(() => hclString('a\0b'), { instanceOf: RenderError, message: /NUL byte/ });
});

test('hcl writes numbers and booleans as literals', (t) => {
  t.is(hclScalar(1024), '1024');
  t.is(hclScalar(true), 'true');
  t.is(hclScalar(false), 'false');
  t.throws(() => hclScalar(Number.NaN), { instanceOf: RenderError });
});

test('a value holding "{{" is refused, a Packer token keeps it', (t) => {
  const error = t.throws(() => hclString('x {{ .Env }}'), { instanceOf: RenderError });
  t.regex(error.message, /contains "\{\{"/);
  t.is(hclScalar(new PackerToken('{{ .SourceAMI }}')), '"{{ .SourceAMI }}"');
});

test('lists put one item per line; an empty list is []', (t) => {
  t.is(hclList([]), '[]');
  t.is(hclList(['a', 'b']), '[\n"a",\n"b",\n]');
  t.is(hclList([['-kernel', '/k'], ['-m', 1]]), '[\n["-kernel", "/k"],\n["-m", 1],\n]');
});

test('maps sort their keys and quote them', (t) => {
  t.is(hclMap({ b: '2', 'a-b': 'x"y', A: true }), '{\n"A" = true\n"a-b" = "x\\"y"\n"b" = "2"\n}');
  t.is(hclMap({}), '{}');
});

const withPacker = hasCommand('packer') ? test : test.skip;

withPacker('Packer reads every escaped value back unchanged (validate, console)', async (t) => {
  const dir = await tempDir('hcl-roundtrip');
  const work = path.join(dir, 'tpl');
  await mkdir(work, { recursive: true });
  const locals = tricky.map((v, i) => `  v${i} = ${hclString(v)}`).join('\n');
  const template = [
    `locals {\n${locals}\n}`,
    'source "null" "n" {\n  communicator = "none"\n}',
    'build {\n  sources = ["source.null.n"]\n}',
    '',
  ].join('\n\n');
  const file = path.join(work, 'roundtrip.pkr.hcl');
  await writeFile(file, template);
  const env = packerEnv(dir);
  await t.notThrowsAsync(run('packer', ['validate', file], { env, cwd: work }));

  const expr = `jsonencode([${tricky.map((_, i) => `local.v${i}`).join(', ')}])`;
  const child = run('packer', ['console', file], { env, cwd: work });
  child.child.stdin?.end(`${expr}\n`);
  const { stdout } = await child;
  t.deepEqual(JSON.parse(stdout.trim()), tricky);
});
