import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStateStore, type StateStore } from '../../src/state/store.js';
import { StateError } from '../../src/errors.js';
import { makeManifest, motoWithBucket, tempDir } from './helpers.js';
import type { MotoServer } from '../helpers/moto.js';
import { motoEnv } from '../helpers/moto.js';

const BUCKET = 'amibake-state-test';
const here = path.dirname(fileURLToPath(import.meta.url));
let moto: MotoServer;
let counter = 0;

test.before(async () => {
  moto = await motoWithBucket(BUCKET);
});

test.after.always(async () => {
  await moto?.stop();
});

type Backend = 'local' | 's3';

async function freshUri(backend: Backend): Promise<string> {
  if (backend === 'local') return tempDir('state');
  counter += 1;
  return `s3://${BUCKET}/run-${process.pid}-${counter}`;
}

function runWriter(uri: string, image: string, prefix: string, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'race-writer.ts'), uri, image, prefix, String(count)],
      { env: { ...process.env, ...motoEnv(moto.endpoint) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer: ${err}`))));
  });
}

const backends: Backend[] = ['local', 's3'];

type Body = (t: ExecutionContext, store: StateStore, uri: string) => Promise<void>;

function both(title: string, body: Body) {
  for (const backend of backends) {
    test(`${backend}: ${title}`, async (t) => {
      const uri = await freshUri(backend);
      await body(t, await openStateStore(uri), uri);
    });
  }
}

both('a stored manifest reads back whole; an unknown build is undefined', async (t, store) => {
  const amis = { 'eu-west-1': 'ami-1' };
  const manifest = makeManifest({ build_id: '20250101t000000-aaaaaa', amis });
  await store.put(manifest);
  t.deepEqual(await store.get('demo', manifest.build_id), manifest);
  t.is(await store.get('demo', 'nope'), undefined);
});

both('builds list oldest first whatever order they were stored in', async (t, store) => {
  const starts = ['2025-03-01', '2025-01-01', '2025-02-01'];
  for (const [i, day] of starts.entries()) {
    await store.put(makeManifest({ build_id: `b${i}`, started_at: `${day}T00:00:00.000Z` }));
  }
  t.deepEqual((await store.list('demo')).map((m) => m.build_id), ['b1', 'b2', 'b0']);
  t.deepEqual(await store.list('never-built'), []);
});

both('images lists every image with state, and only those', async (t, store) => {
  t.deepEqual(await store.images(), []);
  await store.put(makeManifest({ image: 'web', build_id: 'w1' }));
  await store.put(makeManifest({ image: 'db', build_id: 'd1' }));
  t.deepEqual(await store.images(), ['db', 'web']);
});

both('replacing a build updates its index entry', async (t, store) => {
  const running = makeManifest({ build_id: 'r1', status: 'running', finished_at: undefined });
  await store.put(running);
  t.is((await store.index('demo')).builds.r1.status, 'running');
  const finished_at = '2025-01-01T01:00:00Z';
  await store.put({ ...running, status: 'failed', reason: 'boom', finished_at });
  const entry = (await store.index('demo')).builds.r1;
  t.is(entry.status, 'failed');
  t.is(entry.finished_at, '2025-01-01T01:00:00Z');
  t.is((await store.list('demo')).length, 1);
});

both('an image name or build id that could escape the store is refused', async (t, store) => {
  await t.throwsAsync(store.put(makeManifest({ image: '../etc', build_id: 'x' })), {
    instanceOf: StateError,
    message: /image "\.\.\/etc" may hold only/,
  });
  await t.throwsAsync(store.get('demo', 'a/b'), { instanceOf: StateError });
});

both('forty builds stored at once all reach the index', async (t, store) => {
  const ids = Array.from({ length: 40 }, (_, n) => `p${String(n).padStart(2, '0')}`);
  await Promise.all(ids.map((id) => store.put(makeManifest({ image: 'busy', build_id: id }))));
  const index = await store.index('busy');
  t.deepEqual(Object.keys(index.builds).sort(), ids);
  t.is((await store.list('busy')).length, 40);
});

both('thirty concurrent updates of one manifest each keep their change', async (t, store) => {
  const names = Array.from({ length: 30 }, (_, n) => `phase${n}`);
  await Promise.all(
    names.map((name, n) =>
      store.update('demo', 'shared', (current) => {
        const base = current ?? makeManifest({ build_id: 'shared' });
        return { ...base, phases: { ...base.phases, [name]: n } };
      }),
    ),
  );
  const stored = await store.get('demo', 'shared');
  t.deepEqual(Object.keys(stored?.phases ?? {}).sort(), [...names].sort());
});

both('two processes writing the same index and manifest lose nothing', async (t, store, uri) => {
  const outputs = await Promise.all([
    runWriter(uri, 'raced', 'left', 15),
    runWriter(uri, 'raced', 'right', 15),
  ]);
  t.deepEqual(outputs, ['done\n', 'done\n']);
  const index = await store.index('raced');
  t.is(Object.keys(index.builds).length, 31);
  for (const side of ['left', 'right']) {
    for (let n = 0; n < 15; n++) t.truthy(index.builds[`${side}-${n}`], `${side}-${n} indexed`);
  }
  const shared = await store.get('raced', 'shared');
  t.is(Object.keys(shared?.phases ?? {}).length, 30);
});

both('a second taker of a lock is refused naming the holder pid, host, start', async (t, store) => {
  const lock = await store.lock('rebuild-demo', 'a rebuild of demo');
  const error = await t.throwsAsync(store.lock('rebuild-demo', 'a rebuild of demo'), {
    instanceOf: StateError,
  });
  t.regex(
    error!.message,
    new RegExp(
      `a rebuild of demo is already running: pid ${process.pid} on ${os.hostname()} since \\d{4}-`,
    ),
  );
  t.regex(error!.hint ?? '', /if that process is gone, delete .*locks\/rebuild-demo\.json/);
  await lock.release();
  const again = await store.lock('rebuild-demo', 'a rebuild of demo');
  await again.release();
});
