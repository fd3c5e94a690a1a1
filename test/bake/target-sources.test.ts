// Which sources a target's bake fetches: those only other targets' steps name are left out,
// everything a step of this target (or no step at all) names is kept.
import test from 'ava';
import { loadSpec } from '../../src/spec/load.js';
import type { Spec } from '../../src/spec/types.js';
import { names, sourcesFor } from '../../src/bake/target-sources.js';

const zeros = '0'.repeat(64);
const source = (name: string) => ({ name, url: `http://127.0.0.1:9/${name}`, sha256: zeros });

function spec(parts: Partial<Spec>): Spec {
  const targets = { local: { release: 'bookworm' } };
  return { description: 'd', architecture: 'x86_64', targets, ...parts };
}

const noScripts = () => '';
type Reader = (script: string) => string;
const usedNames = (s: Spec, target: 'local' | 'aws', read: Reader = noScripts) =>
  sourcesFor(s, target, read).used.map((u) => u.name);

test('a source named only in an aws step is not fetched for local, and is for aws', (t) => {
  const s = spec({
    sources: [source('mysql.tar.gz')],
    steps: [{ script: 'build-from-source', targets: ['aws'], vars: { SOURCE: 'mysql.tar.gz' } }],
  });
  t.deepEqual(usedNames(s, 'local'), []);
  t.deepEqual(sourcesFor(s, 'local', noScripts).skipped.map((k) => k.targets), [['aws']]);
  t.deepEqual(usedNames(s, 'aws'), ['mysql.tar.gz']);
});

test('a source no step names is kept: a script may read the whole sources directory', (t) => {
  const s = spec({ sources: [source('data.sql')], steps: [{ script: 'x', targets: ['aws'] }] });
  t.deepEqual(usedNames(s, 'local'), ['data.sql']);
});

test('a source named by a step of both targets is kept for each', (t) => {
  const s = spec({
    sources: [source('a.tgz')],
    steps: [
      { script: 'build', targets: ['aws'], vars: { SOURCE: 'a.tgz' } },
      { script: 'build', vars: { SOURCE: 'a.tgz' } },
    ],
  });
  t.deepEqual(usedNames(s, 'local'), ['a.tgz']);
});

test('a local script that names the file by default keeps the source', (t) => {
  const s = spec({
    sources: [source('schema.sql')],
    steps: [
      { script: 'aws-load', targets: ['aws'], vars: { FILE: 'schema.sql' } },
      { script: 'local-load', targets: ['local'] },
    ],
  });
  const read = (script: string) => (script === 'local-load' ? 'FILE=${FILE:-schema.sql}' : '');
  t.deepEqual(usedNames(s, 'local', read), ['schema.sql']);
});

test('a name counts only as a whole token: a.sql is not named by sakila-data.sql', (t) => {
  t.false(names('SOURCE=sakila-data.sql', 'a.sql'));
  t.true(names('SOURCE=a.sql rest', 'a.sql'));
  t.true(names('/tmp/amibake/sources/a.sql', 'a.sql'));
});

test('the wafflegrid local bake needs none of its aws-only tarballs', async (t) => {
  const loaded = await loadSpec('wafflegrid');
  t.deepEqual(sourcesFor(loaded.spec, 'local').used, []);
  t.is(sourcesFor(loaded.spec, 'aws').used.length, 3);
});

test('the LAMP demo still fetches both Sakila files for local', async (t) => {
  const loaded = await loadSpec('ubuntu804-lamp');
  t.deepEqual(
    sourcesFor(loaded.spec, 'local').used.map((s) => s.name),
    ['sakila-schema.sql', 'sakila-data.sql'],
  );
});
