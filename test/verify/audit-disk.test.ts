import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { auditDisk } from '../../src/verify/audit-disk.js';
import { auditTree } from '../../src/verify/audit.js';
import { mirrorDisk } from '../../src/verify/disk-mirror.js';
import type { AuditFinding } from '../../src/manifest-types.js';
import {
  CLEAN_BASE,
  KEYS,
  OPENSSH_KEY,
  PUBKEY_BAKED,
  PUBKEY_BUILD,
  plantTree,
  type Plant,
} from './audit-tree.js';

const brief = (findings: AuditFinding[]) => findings.map((f) => `${f.kind} ${f.path}`).sort();

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
const SECRETS: Plant = {
  'home/admin/.ssh/authorized_keys': `${PUBKEY_BUILD}\n${PUBKEY_BAKED}\n`,
  'etc/ssh/ssh_host_ed25519_key': OPENSSH_KEY,
  'opt/app/name with spaces/key.txt': KEYS.pkcs8,
  'opt/app/new\nline.key': KEYS.rsa,
  'root/.bash_history': 'ls\n',
  'root/.aws/credentials': '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n',
  'etc/shadow': 'root:$6$salt$hash:19000:0:99999:7:::\n',
  'tmp/amibake-build/key': 'x',
  'var/cache/apt/archives/big_1.0_amd64.deb': { bytes: 3 * 1024 * 1024 },
  'var/lib/apt/lists/deb.debian.org_dists_bookworm_Packages': 'Package: a\n'.repeat(20_000),
  'var/lib/cloud/instances/i-0bake/obj.pkl': 'x',
  'var/lib/cloud/instance': { link: '/var/lib/cloud/instances/i-0bake' },
  // Larger than the content scan reads: ignored offline and in a tree alike.
  'opt/big/blob.bin': `${'x'.repeat(70 * 1024)}\n${KEYS.rsa}`,
  // Read whole whatever its size: a big bundle of certificates is not a key.
  'usr/lib/python3/dist-packages/certifi/cacert.pem': CERT.repeat(3000),
};

const EXPECTED = [
  'authorized_keys /home/admin/.ssh/authorized_keys',
  'build_key /home/admin/.ssh/authorized_keys',
  'build_key /tmp/amibake-build',
  'cloud_credentials /root/.aws/credentials',
  'cloud_init_state /var/lib/cloud/instance',
  'cloud_init_state /var/lib/cloud/instances/i-0bake',
  'package_cache /var/cache/apt/archives',
  'package_cache /var/lib/apt/lists',
  'private_key /opt/app/name with spaces/key.txt',
  'private_key /opt/app/new?line.key',
  'root_password /etc/shadow',
  'shell_history /root/.bash_history',
  'ssh_host_key /etc/ssh/ssh_host_ed25519_key',
];

async function makeDisk(tree: string, format: 'raw' | 'qcow2'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-disk-'));
  const raw = path.join(dir, 'disk.raw');
  const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', tree, raw, '64M'], { env });
  if (format === 'raw') return raw;
  const qcow2 = path.join(dir, 'disk.qcow2');
  execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, qcow2]);
  await rm(raw);
  return qcow2;
}

test('a real ext4 qcow2 disk is audited offline and finds what the tree holds', async (t) => {
  const tree = await plantTree(CLEAN_BASE, SECRETS);
  const disk = await makeDisk(tree, 'qcow2');
  const fromDisk = brief(await auditDisk(disk));
  const fromTree = brief(await auditTree(tree));
  t.deepEqual(fromDisk, EXPECTED);
  t.deepEqual(fromDisk, fromTree);
  await rm(tree, { recursive: true, force: true });
  await rm(path.dirname(disk), { recursive: true, force: true });
});

test('a clean ext4 disk gives no findings', async (t) => {
  const tree = await plantTree(CLEAN_BASE);
  const disk = await makeDisk(tree, 'raw');
  t.deepEqual(await auditDisk(disk), []);
  await rm(tree, { recursive: true, force: true });
  await rm(path.dirname(disk), { recursive: true, force: true });
});

test('the offline mirror keeps names, links and sizes, and is removed afterwards', async (t) => {
  const tree = await plantTree({
    'a/b/small.txt': 'hello',
    'a/big.bin': { bytes: 200_000 },
    'a/link': { link: '/etc/passwd' },
  });
  const disk = await makeDisk(tree, 'raw');
  const mirror = await mirrorDisk(disk);
  const { lstat, readFile, readlink } = await import('node:fs/promises');
  t.is(await readFile(path.join(mirror.root, 'a/b/small.txt'), 'utf8'), 'hello');
  t.is((await lstat(path.join(mirror.root, 'a/big.bin'))).size, 200_000);
  // A link never points at the host, whatever it pointed at in the image.
  t.false(path.isAbsolute(await readlink(path.join(mirror.root, 'a/link'))));
  t.deepEqual((await readdir(mirror.root)).sort(), ['a', 'lost+found']);
  await mirror.remove();
  t.false(existsSync(mirror.dir));
  await rm(tree, { recursive: true, force: true });
  await rm(path.dirname(disk), { recursive: true, force: true });
});

test('a disk that is not ext4 is refused with a clear message', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-disk-'));
  const disk = path.join(dir, 'zeros.raw');
  await writeFile(disk, Buffer.alloc(4 * 1024 * 1024));
  await t.throwsAsync(auditDisk(disk), { message: /debugfs cannot read .* as ext4/ });
  await rm(dir, { recursive: true, force: true });
});

test('a disk too short to hold a filesystem is refused, never audited clean', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-disk-'));
  const disk = path.join(dir, 'short.raw');
  await writeFile(disk, 'not a disk\n');
  await t.throwsAsync(auditDisk(disk), { message: /debugfs cannot read .* as ext4: .*short read/ });
  await rm(dir, { recursive: true, force: true });
});
