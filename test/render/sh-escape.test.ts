import test from 'ava';
import { RenderError } from '../../src/errors.js';
import { shList, shQuote } from '../../src/render/sh-escape.js';
import { run } from './fixtures.js';

const tricky = [
  'plain',
  "it's",
  "''",
  'say "hi" & <b> = c',
  'back`tick` $(uname) $HOME ${x} %{y}',
  'C:\\path\\n',
  'two\nlines\tand tab',
  '-n',
  '*',
  '',
];

test('sh wraps values in single quotes and writes a quote as \'\\\'\'', (t) => {
  t.is(shQuote('plain'), "'plain'");
  t.is(shQuote("it's"), "'it'\\''s'");
  t.is(shQuote(''), "''");
  t.is(shQuote(3000), "'3000'");
});

test('sh refuses a NUL byte', (t) => {
  t.throws(() => shQuote('a\0b'), { instanceOf: RenderError });
});

test('bash reads every quoted value back unchanged', async (t) => {
  for (const value of tricky) {
    const { stdout } = await run('bash', ['-c', `printf %s ${shQuote(value)}`]);
    t.is(stdout, value);
  }
});

test('a quoted list stays one word per value across continuation lines', async (t) => {
  const script = `for w in \\\n  ${shList(tricky)}; do printf '[%s]' "$w"; done`;
  const { stdout } = await run('bash', ['-c', script]);
  t.is(stdout, tricky.map((v) => `[${v}]`).join(''));
});
