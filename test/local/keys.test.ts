import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBuildKey } from '../../src/local/keys.js';
import { redact } from '../../src/redact.js';

let tmp: string;
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amibake-key-'));
});
test.after.always(() => rm(tmp, { recursive: true, force: true }));

test('a build key is a fresh ed25519 pair in a 0700 directory', async (t) => {
  const dir = path.join(tmp, 'first', 'key');
  const first = await createBuildKey(dir);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(first.privateKeyFile)).mode & 0o777, 0o600);
  t.regex(first.publicKey, /^ssh-ed25519 [A-Za-z0-9+/=]+ amibake-\d+$/);
  const derived = execFileSync('ssh-keygen', ['-y', '-f', first.privateKeyFile], {
    encoding: 'utf8',
  });
  t.is(derived.split(' ').slice(0, 2).join(' '), first.publicKey.split(' ').slice(0, 2).join(' '));
  const second = await createBuildKey(dir);
  t.not(second.publicKey, first.publicKey);
});

test('the private key text is redacted wherever it is printed', async (t) => {
  const key = await createBuildKey(path.join(tmp, 'second'));
  const text = await readFile(key.privateKeyFile, 'utf8');
  const bodyLine = text.split('\n')[1];
  const printed = redact(`key: ${text} and a piece: ${bodyLine}`);
  t.false(printed.includes(bodyLine));
  t.true(printed.includes('[REDACTED]'));
  t.true(redact(key.publicKey).includes(key.publicKey.split(' ')[1]));
});
