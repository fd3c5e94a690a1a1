import test, { type ExecutionContext } from 'ava';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import type { BlobStore } from '../../src/state/blobs.js';
import { LocalBlobStore } from '../../src/state/local-blobs.js';
import { S3BlobStore } from '../../src/state/s3-blobs.js';
import { acquireLock, lockKey } from '../../src/state/lock.js';
import { StateError } from '../../src/errors.js';
import { motoWithBucket, tempDir } from './helpers.js';
import type { MotoServer } from '../helpers/moto.js';

const BUCKET = 'amibake-cond-test';
let moto: MotoServer;
let counter = 0;

test.before(async () => {
  moto = await motoWithBucket(BUCKET);
});

test.after.always(async () => {
  await moto?.stop();
});

async function blobsFor(backend: 'local' | 's3'): Promise<BlobStore> {
  counter += 1;
  if (backend === 'local') return new LocalBlobStore(await tempDir('blobs'));
  return new S3BlobStore(BUCKET, `cond-${counter}`);
}

function both(title: string, body: (t: ExecutionContext, blobs: BlobStore) => Promise<void>) {
  for (const backend of ['local', 's3'] as const) {
    test(`${backend}: ${title}`, async (t) => body(t, await blobsFor(backend)));
  }
}

// moto 5.2.1 answers 412 PreconditionFailed to both headers; these tests are that check.
both('a create-only write fails once the key exists', async (t, blobs) => {
  t.truthy(await blobs.write('k.json', 'one', { ifAbsent: true }));
  t.is(await blobs.write('k.json', 'two', { ifAbsent: true }), undefined);
  t.is((await blobs.read('k.json'))?.body, 'one');
});

both('a replace fails when the key changed since it was read', async (t, blobs) => {
  await blobs.write('k.json', 'one');
  const first = await blobs.read('k.json');
  t.truthy(await blobs.write('k.json', 'two', { ifVersion: first!.version }));
  t.is(await blobs.write('k.json', 'three', { ifVersion: first!.version }), undefined);
  t.is((await blobs.read('k.json'))?.body, 'two');
});

both('a replace of a key deleted since it was read fails, not recreating it', async (t, blobs) => {
  await blobs.write('k.json', 'one');
  const first = await blobs.read('k.json');
  await blobs.remove('k.json');
  t.is(await blobs.write('k.json', 'two', { ifVersion: first!.version }), undefined);
  t.is(await blobs.read('k.json'), undefined);
});

both('keys list recursively and children list one level', async (t, blobs) => {
  await blobs.write('images/web/index.json', '{}');
  await blobs.write('images/web/builds/b1.json', '{}');
  await blobs.write('images/db/index.json', '{}');
  const keys = await blobs.list('images/web/');
  t.deepEqual(keys, ['images/web/builds/b1.json', 'images/web/index.json']);
  t.deepEqual(await blobs.children('images/'), ['db', 'web']);
});

both('a lock left by a dead process on this host is taken over', async (t, blobs) => {
  const dead = spawnSync('true').pid!;
  const since = '2025-01-01T00:00:00Z';
  const stale = { pid: dead, host: os.hostname(), since, purpose: 'x', token: 't' };
  await blobs.write(lockKey('rebuild-demo'), JSON.stringify(stale));
  const lock = await acquireLock(blobs, 'rebuild-demo', 'a rebuild of demo');
  t.is(JSON.parse((await blobs.read(lockKey('rebuild-demo')))!.body).pid, process.pid);
  await lock.release();
  t.is(await blobs.read(lockKey('rebuild-demo')), undefined);
});

both('a lock held on another host is never broken', async (t, blobs) => {
  const since = '2025-01-01T00:00:00Z';
  const other = { pid: 1, host: 'elsewhere', since, purpose: 'a rebuild', token: 't' };
  await blobs.write(lockKey('rebuild-demo'), JSON.stringify(other));
  const error = await t.throwsAsync(acquireLock(blobs, 'rebuild-demo', 'a rebuild'), {
    instanceOf: StateError,
  });
  t.regex(error!.message, /pid 1 on elsewhere since 2025-01-01T00:00:00Z/);
});

both('releasing a lock someone else took over leaves theirs in place', async (t, blobs) => {
  const lock = await acquireLock(blobs, 'rebuild-demo', 'mine');
  const theirs = { pid: 2, host: 'elsewhere', since: 'now', purpose: 'theirs', token: 'other' };
  await blobs.write(lockKey('rebuild-demo'), JSON.stringify(theirs));
  await lock.release();
  t.is(JSON.parse((await blobs.read(lockKey('rebuild-demo')))!.body).token, 'other');
});

test('a missing state bucket is named with how to create it', async (t) => {
  const blobs = new S3BlobStore('no-such-bucket-here', 'p');
  const error = await t.throwsAsync(blobs.read('x.json'), { instanceOf: StateError });
  t.regex(error!.message, /state bucket no-such-bucket-here does not exist/);
});
