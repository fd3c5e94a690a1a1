import test from 'ava';
import { RenderError } from '../../src/errors.js';
import { amiName } from '../../src/render/ami-name.js';

const id = '20261204t155300-ab12cd';
const allowed = /^[A-Za-z0-9()[\] ./'@_-]{3,128}$/;

test('a clean name is the image name and the build id', (t) => {
  t.is(amiName('ubuntu804-lamp', id), `ubuntu804-lamp-${id}`);
});

test('characters AWS refuses become single dashes', (t) => {
  const name = amiName('lamp:php+mysql!!  ü', id);
  t.is(name, `lamp-php-mysql-${id}`);
  t.regex(name, allowed);
});

test("parentheses, brackets, slashes, quotes and @ are kept", (t) => {
  t.is(amiName("web (v2) [x]/y's@z", id), `web (v2) [x]/y's@z-${id}`);
});

test('a long name is cut so the whole fits in 128 and keeps the build id', (t) => {
  const name = amiName('a'.repeat(300), id);
  t.is(name.length, 128);
  t.true(name.endsWith(`-${id}`));
  t.regex(name, allowed);
});

test('different builds of one image get different names', (t) => {
  t.not(amiName('lamp', id), amiName('lamp', '20261204t155301-ffffff'));
});

test('a name with nothing valid left is a RenderError', (t) => {
  const error = t.throws(() => amiName('!!!***', id), { instanceOf: RenderError });
  t.regex(error.message, /image name "!!!\*\*\*"/);
  t.throws(() => amiName('lamp', '###'), { instanceOf: RenderError });
  t.throws(() => amiName('lamp', 'x'.repeat(128)), { instanceOf: RenderError });
});
