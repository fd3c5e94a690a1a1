import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../../src/errors.js';
import { TemplateEngine } from '../../src/render/template-engine.js';
import { tempDir } from './fixtures.js';

async function templates(files: Record<string, string>): Promise<string> {
  const dir = path.join(await tempDir('templates'), 'templates');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function renderError(t: import('ava').ExecutionContext, fn: () => unknown): RenderError {
  return t.throws(fn, { instanceOf: RenderError }) as RenderError;
}

test('a missing variable names the template and the variable', async (t) => {
  const dir = await templates({ 'a.hcl.hbs': 'x = 1\nname = {{hcl image.name}}\n' });
  const error = renderError(t, () => new TemplateEngine(dir).render('a.hcl.hbs', { image: {} }));
  t.regex(error.message, /a\.hcl\.hbs:2: variable "image\.name" is not defined/);
});

test('a missing block condition is an error, not a silently false branch', async (t) => {
  const dir = await templates({ 'b.hcl.hbs': '{{#if modern}}\nm = true\n{{/if}}\n' });
  const engine = new TemplateEngine(dir);
  const error = renderError(t, () => engine.render('b.hcl.hbs', {}));
  t.regex(error.message, /b\.hcl\.hbs:1: variable "modern" is not defined/);
  t.is(engine.render('b.hcl.hbs', { modern: null }), '');
});

test('a missing field inside each names the field', async (t) => {
  const dir = await templates({
    'c.sh.hbs': '{{#each items}}\necho {{sh this.word}}\n{{/each}}\n',
  });
  const engine = new TemplateEngine(dir);
  t.is(engine.render('c.sh.hbs', { items: [{ word: "it's" }] }), "echo 'it'\\''s'\n");
  const error = renderError(t, () => engine.render('c.sh.hbs', { items: [{}] }));
  t.regex(error.message, /c\.sh\.hbs:2: variable "this\.word" is not defined/);
});

test('a missing variable in a partial names the partial, not its parent', async (t) => {
  const dir = await templates({
    'outer.hcl.hbs': 'a {\n{{> inner}}\n}\n',
    'inner.hcl.hbs': 'b = {{hcl missing}}\n',
  });
  const error = renderError(t, () => new TemplateEngine(dir).render('outer.hcl.hbs', {}));
  t.regex(error.message, /inner\.hcl\.hbs:1: variable "missing" is not defined/);
});

test("Packer's own tokens reach the output unchanged", async (t) => {
  const text = [
    'execute_command = "sudo -E env \\{{ .Vars }} bash \\{{ .Path }}"',
    'ssh = "127.0.0.1:\\{{ .SSHHostPort }}-:22{{#if offline}},restrict=on{{/if}}"',
    'url = "http://\\{{ .HTTPIP }}/x"',
    'name = "x-\\{{timestamp}}"',
    '',
  ].join('\n');
  const dir = await templates({ 'tokens.hcl.hbs': text });
  const out = new TemplateEngine(dir).render('tokens.hcl.hbs', { offline: true });
  t.true(out.includes('"sudo -E env {{ .Vars }} bash {{ .Path }}"'));
  t.true(out.includes('"127.0.0.1:{{ .SSHHostPort }}-:22,restrict=on"'));
  t.true(out.includes('"http://{{ .HTTPIP }}/x"'));
  t.true(out.includes('"x-{{timestamp}}"'));
});

test('a value printed without its escaping helper is refused at load', async (t) => {
  const dir = await templates({
    'raw.hcl.hbs': 'a = 1\nb = "{{name}}"\n',
    'wrong.sh.hbs': 'echo {{hcl name}}\n',
    'wrong.hcl.hbs': 'a = {{sh name}}\n',
  });
  const engine = new TemplateEngine(dir);
  const messageOf = (name: string) =>
    renderError(t, () => engine.render(name, { name: 'x' })).message;
  t.regex(messageOf('raw.hcl.hbs'), /raw\.hcl\.hbs:2: \{\{name\}\}/);
  t.regex(messageOf('wrong.sh.hbs'), /without sh\/shList/);
  t.regex(messageOf('wrong.hcl.hbs'), /without hcl/);
});

test('a helper that refuses a value says where in the template', async (t) => {
  const dir = await templates({ 'v.hcl.hbs': '\n\ntag = {{hcl tag}}\n' });
  const engine = new TemplateEngine(dir);
  const error = renderError(t, () => engine.render('v.hcl.hbs', { tag: '{{ .Env }}' }));
  t.regex(error.message, /v\.hcl\.hbs:3: value .* contains "\{\{"/);
});

test('the template hash covers the templates used and changes with them', async (t) => {
  const dir = await templates({ 'x.hcl.hbs': 'x = 1\n', 'y.hcl.hbs': 'y = 1\n' });
  const hashOf = () => {
    const engine = new TemplateEngine(dir);
    engine.render('x.hcl.hbs', {});
    return engine.templateHash();
  };
  const first = hashOf();
  t.is(hashOf(), first);
  await writeFile(path.join(dir, 'y.hcl.hbs'), 'y = 2\n');
  t.is(hashOf(), first, 'an unused template does not count');
  await writeFile(path.join(dir, 'x.hcl.hbs'), 'x = 2\n');
  t.not(hashOf(), first);
});
