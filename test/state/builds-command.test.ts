import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../src/paths.js';
import { openStateStore } from '../../src/state/store.js';
import { makeManifest, tempDir } from './helpers.js';

function amibake(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'amibake.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, AMIBAKE_STATE: '' },
  });
}

async function storeWithBuilds(): Promise<string> {
  const dir = await tempDir('builds-cmd');
  const store = await openStateStore(dir);
  await store.put(
    makeManifest({
      image: 'web',
      build_id: '20250201t000000-bbbbbb',
      started_at: '2025-02-01T00:00:00.000Z',
      spec_hash: 'b'.repeat(64),
      base: { ami: { 'us-east-1': 'ami-0base2' } },
      amis: { 'us-east-1': 'ami-0made2' },
      publish: {
        status: 'published',
        at: '2025-02-01T01:00:00Z',
        public: false,
        amis: { 'us-east-1': 'ami-0made2', 'eu-west-1': 'ami-0copy2' },
      },
    }),
  );
  await store.put(
    makeManifest({
      image: 'web',
      build_id: '20250101t000000-aaaaaa',
      status: 'failed',
      reason: 'packer exited 1',
      base: { ami: { 'us-east-1': 'ami-0base1' } },
    }),
  );
  await store.put(
    makeManifest({
      image: 'web',
      target: 'local',
      build_id: '20250301t000000-cccccc',
      started_at: '2025-03-01T00:00:00.000Z',
      base: { recipe_hash: 'f'.repeat(64) },
    }),
  );
  return dir;
}

test('builds --json: id, time, base, spec, status, AMIs per region, oldest first', async (t) => {
  const dir = await storeWithBuilds();
  const result = amibake('builds', 'web', '--json', '--state', dir);
  t.is(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout);
  t.deepEqual(rows.map((r: { build_id: string }) => r.build_id), [
    '20250101t000000-aaaaaa',
    '20250201t000000-bbbbbb',
    '20250301t000000-cccccc',
  ]);
  t.like(rows[0], { status: 'failed', reason: 'packer exited 1' });
  t.deepEqual(rows[0].base, { ami: { 'us-east-1': 'ami-0base1' } });
  const published = { 'us-east-1': 'ami-0made2', 'eu-west-1': 'ami-0copy2' };
  t.deepEqual(rows[1].amis, published, 'published AMIs win');
  t.is(rows[1].spec_hash, 'b'.repeat(64));
});

test('builds prints a table on stdout, one row per build, and --target filters it', async (t) => {
  const dir = await storeWithBuilds();
  const result = amibake('builds', 'web', '--target', 'aws', '--state', dir);
  t.is(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  t.regex(lines[0], /^BUILD\s+STARTED\s+TARGET\s+STATUS\s+BASE\s+SPEC\s+AMIS$/);
  t.is(lines.length, 3);
  t.deepEqual(lines[2].split(/\s+/), [
    '20250201t000000-bbbbbb',
    '2025-02-01T00:00:00Z',
    'aws',
    'succeeded',
    'us-east-1=ami-0base2',
    'bbbbbbbbbbbb',
    'us-east-1=ami-0made2,eu-west-1=ami-0copy2',
  ]);
});

test('builds of an image without state says so on stderr and prints nothing', async (t) => {
  const dir = await tempDir('builds-empty');
  const result = amibake('builds', 'nothing', '--state', dir);
  t.is(result.status, 0);
  t.is(result.stdout, '');
  t.regex(result.stderr, /no builds of nothing in /);
});

test('builds without a name is a usage error (exit 64)', (t) => {
  const result = amibake('builds');
  t.is(result.status, 64);
  t.regex(result.stderr, /give exactly one image name/);
});
