// Sources inside a tar archive: downloaded once, the member extracted and checked by sha256.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../../src/util/fs.js';
import { fetchSource } from '../../src/bake/sources.js';
import { archiveMember } from '../../src/bake/archive-source.js';
import { BakeError } from '../../src/errors.js';

const schema = 'CREATE TABLE film (id int);\n';
const data = 'INSERT INTO film VALUES (1);\n';

let base: string;
let hits = 0;
let server: http.Server;

test.before(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-archive-'));
  await mkdir(path.join(dir, 'db'));
  await writeFile(path.join(dir, 'db', 'schema.sql'), schema);
  await writeFile(path.join(dir, 'db', 'data.sql'), data);
  execFileSync('tar', ['-czf', path.join(dir, 'db.tar.gz'), '-C', dir, 'db']);
  const archive = await readFile(path.join(dir, 'db.tar.gz'));
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/db.tar.gz') res.end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AMIBAKE_SOURCE_CACHE = path.join(dir, 'cache');
});

test.after.always(() => server?.close());

test('a URL fragment names a member of a tar archive; other URLs are plain', (t) => {
  t.deepEqual(archiveMember('https://h/x/sakila-db.tar.gz#sakila-db/sakila-schema.sql'), {
    archiveUrl: 'https://h/x/sakila-db.tar.gz',
    member: 'sakila-db/sakila-schema.sql',
  });
  t.is(archiveMember('https://h/x/file.sql'), undefined);
  t.is(archiveMember('https://h/page.html#section'), undefined);
});

test.serial('two members of one archive are extracted and checked after one download', async (t) => {
  const first = await fetchSource({ name: 'schema.sql', url: `${base}/db.tar.gz#db/schema.sql`, sha256: sha256(schema) });
  const second = await fetchSource({ name: 'data.sql', url: `${base}/db.tar.gz#db/data.sql`, sha256: sha256(data) });
  t.is(await readFile(first, 'utf8'), schema);
  t.is(await readFile(second, 'utf8'), data);
  t.is(hits, 1);
});

test.serial('a member whose checksum differs is refused', async (t) => {
  const source = { name: 'data2.sql', url: `${base}/db.tar.gz#db/data.sql`, sha256: sha256('other') };
  const error = await t.throwsAsync(fetchSource(source), { instanceOf: BakeError });
  t.regex(error!.message, /sha256 mismatch/);
});

test.serial('a member the archive lacks is named in the error', async (t) => {
  const source = { name: 'gone.sql', url: `${base}/db.tar.gz#db/gone.sql`, sha256: sha256('x') };
  const error = await t.throwsAsync(fetchSource(source), { instanceOf: BakeError });
  t.regex(error!.message, /no member db\/gone\.sql in db\.tar\.gz/);
});
