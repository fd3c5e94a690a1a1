// Field paths print the way users write them and point at the right place in the YAML.
import test from 'ava';
import { LineCounter, parseDocument } from 'yaml';
import {
  formatPath, locate, pointerToPath, type Anchor, type Segment,
} from '../../src/spec/positions.js';

test('paths print with dots for keys, brackets for indexes and quotes for odd keys', (t) => {
  t.is(formatPath(['smoke', 1, 'expect']), 'smoke[1].expect');
  t.is(formatPath(['steps', 0, 'vars', '1ST']), 'steps[0].vars["1ST"]');
  t.is(formatPath([]), '');
});

test('ajv pointers become segments, unescaping ~1 and ~0', (t) => {
  t.deepEqual(pointerToPath('/publish/tags/a~1b~0c'), ['publish', 'tags', 'a/b~c']);
  t.deepEqual(pointerToPath('/smoke/10/name'), ['smoke', 10, 'name']);
  t.deepEqual(pointerToPath(''), []);
});

const text = 'targets:\n  local:\n    release: bookworm\nsmoke:\n  - name: a\n    type: sql\n';
const counter = new LineCounter();
const doc = parseDocument(text, { lineCounter: counter });

const at = (path: Segment[], anchor: Anchor) =>
  locate(doc, counter, { path, at: anchor, message: '' });

test('a value, its key and a missing key each point where a reader would look', (t) => {
  t.deepEqual(at(['targets', 'local', 'release'], 'value'), { line: 3, column: 14 });
  t.deepEqual(at(['targets', 'local', 'release'], 'key'), { line: 3, column: 5 });
  t.deepEqual(at(['smoke', 0, 'expect'], 'parent'), { line: 5, column: 5 });
});

test('a path the document lacks points at the deepest part that exists', (t) => {
  t.deepEqual(at(['smoke', 3, 'name'], 'value'), { line: 5, column: 3 });
});
