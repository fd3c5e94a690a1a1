import test from 'ava';
import { mkdtemp, writeFile, readFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../../src/util/fs.js';
import { fetchSource, stageSources } from '../../src/bake/sources.js';
import { BakeError } from '../../src/errors.js';

const body = 'select 1;\n';
const good = { name: 'data.sql', url: 'http://127.0.0.1:9/none', sha256: sha256(body) };

async function tempDir(prefix: string) {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

test.beforeEach(async () => {
  process.env.AMIBAKE_CACHE_DIR = await tempDir('amibake-cache-');
});

test.serial('a mirror file with the right checksum is cached and staged', async (t) => {
  const mirror = await tempDir('amibake-mirror-');
  await writeFile(path.join(mirror, 'data.sql'), body);
  const stage = await tempDir('amibake-stage-');
  const [staged] = await stageSources([good], stage, { mirrors: [mirror], offline: true });
  t.is(await readFile(staged, 'utf8'), body);
});

test.serial('a checksum mismatch stops with both sums and caches nothing', async (t) => {
  const mirror = await tempDir('amibake-mirror-');
  await writeFile(path.join(mirror, 'data.sql'), 'tampered');
  const error = await t.throwsAsync(fetchSource(good, { mirrors: [mirror] }), { instanceOf: BakeError });
  t.regex(error!.message, new RegExp(`expected ${good.sha256}, got ${sha256('tampered')}`));
  t.deepEqual(await readdir(process.env.AMIBAKE_CACHE_DIR!).catch(() => []), []);
});

test.serial('offline with no cached or mirrored copy refuses to download', async (t) => {
  const error = await t.throwsAsync(fetchSource(good, { offline: true }), { instanceOf: BakeError });
  t.regex(error!.message, /not in the cache or any mirror/);
});

test.serial('a download is checked against its sha256 and served from cache afterwards', async (t) => {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/data.sql') res.end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const source = { ...good, url: `http://127.0.0.1:${port}/data.sql` };
    const first = await fetchSource(source);
    const second = await fetchSource(source);
    t.is(first, second);
    t.is(hits, 1);
    const missing = { ...good, name: 'gone.sql', url: `http://127.0.0.1:${port}/gone.sql`, availability_note: 'withdrawn in 2012' };
    const error = await t.throwsAsync(fetchSource(missing), { instanceOf: BakeError });
    t.regex(error!.message, /HTTP 404 \(withdrawn in 2012\)/);
  } finally {
    server.close();
  }
});
