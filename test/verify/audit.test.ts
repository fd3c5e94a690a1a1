import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  auditGuest,
  auditSeverity,
  auditTree,
  parseAuditOutput,
} from '../../src/verify/audit.js';
import { localShellExec } from '../../src/verify/guest.js';
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

type Kind = AuditFinding['kind'];
type Expected = [Kind, string][];

const brief = (findings: AuditFinding[]): Expected =>
  findings.map((f): [Kind, string] => [f.kind, f.path]).sort();

// One kind at several paths: at('shell_history', '/root/.bash_history', ...).
const at = (kind: Kind, ...paths: string[]): Expected =>
  paths.map((p): [Kind, string] => [kind, p]);

async function findsExactly(t: ExecutionContext, plant: Plant, expected: Expected): Promise<void> {
  const root = await plantTree(CLEAN_BASE, plant);
  try {
    t.deepEqual(brief(await auditTree(root)), [...expected].sort());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const CERT_BLOCK = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('a clean tree gives no findings', async (t) => {
  const root = await plantTree(CLEAN_BASE);
  t.deepEqual(await auditTree(root), []);
  await rm(root, { recursive: true, force: true });
});

test('the audit reports authorized_keys of any account, one finding per key', findsExactly,
  {
    'home/alice/.ssh/authorized_keys':
      `${PUBKEY_BAKED}\n# comment\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCzz other@host\n`,
    'root/.ssh/authorized_keys2': `no-pty,command="/bin/true" ${PUBKEY_BAKED}\n`,
  },
  [
    // Two keys in one file: two findings.
    ...at('authorized_keys', '/home/alice/.ssh/authorized_keys'),
    ...at('authorized_keys', '/home/alice/.ssh/authorized_keys'),
    ...at('authorized_keys', '/root/.ssh/authorized_keys2'),
  ]);

test('the audit reports SSH host keys baked in', findsExactly,
  { 'etc/ssh/ssh_host_ed25519_key': OPENSSH_KEY, 'etc/ssh/ssh_host_rsa_key': KEYS.rsa },
  at('ssh_host_key', '/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key'));

test('the audit reports private keys by name and by content outside trust stores', findsExactly,
  {
    'home/alice/.ssh/id_ed25519': OPENSSH_KEY,
    'home/alice/.ssh/id_work': 'not even PEM',
    'opt/app/config/secret.txt': `key:\n${KEYS.pkcs8}`,
    'srv/tls/server.pem': `${KEYS.rsa}${CERT_BLOCK}`,
    'srv/tls/binary.pem': Buffer.from([0x30, 0x82, 0x01, 0x0a]).toString('latin1'),
    'root/putty.ppk': 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n',
    'var/backups/id_rsa': KEYS.rsa,
  },
  at('private_key', '/home/alice/.ssh/id_ed25519', '/home/alice/.ssh/id_work',
    '/opt/app/config/secret.txt', '/srv/tls/server.pem', '/srv/tls/binary.pem',
    '/root/putty.ppk', '/var/backups/id_rsa'));

test('the audit reports shell and client histories in every home', findsExactly,
  {
    'root/.bash_history': 'mysql -uroot -psecret\n',
    'home/admin/.mysql_history': 'select 1;\n',
    'home/admin/.python_history': 'import os\n',
    'root/.lesshst': '.less-history-file:\n',
    'var/lib/mysql/.mysql_history': 'drop table x;\n',
    'home/bob/.zsh_history': ': 1:0;ls\n',
  },
  at('shell_history', '/root/.bash_history', '/home/admin/.mysql_history',
    '/home/admin/.python_history', '/root/.lesshst', '/var/lib/mysql/.mysql_history',
    '/home/bob/.zsh_history'));

test('the audit reports cloud and database credential files', findsExactly,
  {
    'root/.aws/credentials': '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n',
    'home/alice/.aws/config': '[profile x]\naws_secret_access_key = abc\n',
    'home/alice/.boto': '[Credentials]\ngs_access_key_id = x\n',
    'root/.s3cfg': '[default]\naccess_key = x\n',
    'home/alice/.config/gcloud/credentials.db': 'sqlite',
    'root/.azure/accessTokens.json': '[]',
    'root/.my.cnf': '[client]\npassword=hunter2\n',
  },
  at('cloud_credentials', '/root/.aws/credentials', '/home/alice/.aws/config',
    '/home/alice/.boto', '/root/.s3cfg', '/home/alice/.config/gcloud', '/root/.azure',
    '/root/.my.cnf'));

test('the audit reports a root password that is set rather than locked', findsExactly,
  { 'etc/shadow': 'root:$6$salt$hashhashhash:19000:0:99999:7:::\n' },
  at('root_password', '/etc/shadow'));

test('the audit reports a root account with an empty password', findsExactly,
  { 'etc/shadow': 'root::19000:0:99999:7:::\n' },
  at('root_password', '/etc/shadow'));

test('the audit reports leftover build keys', findsExactly,
  {
    'tmp/amibake': { dir: true },
    'tmp/amibake-key': 'x',
    'home/admin/.ssh/amibake_ed25519': OPENSSH_KEY,
    'home/admin/.ssh/authorized_keys': `${PUBKEY_BUILD}\n`,
  },
  at('build_key', '/tmp/amibake', '/tmp/amibake-key', '/home/admin/.ssh/amibake_ed25519',
    '/home/admin/.ssh/authorized_keys'));

test('the audit reports package caches', findsExactly,
  {
    'var/cache/apt/archives/mariadb-server_10.11_amd64.deb': 'deb',
    'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_Packages': 'Package: x\n',
  },
  at('package_cache', '/var/cache/apt/archives', '/var/lib/apt/lists'));

test('the audit reports cloud-init state', findsExactly,
  {
    'var/lib/cloud/instances/i-0123456789abcdef0/user-data.txt': '#cloud-config\n',
    'var/lib/cloud/instance': { link: '/var/lib/cloud/instances/i-0123456789abcdef0' },
  },
  at('cloud_init_state', '/var/lib/cloud/instances/i-0123456789abcdef0',
    '/var/lib/cloud/instance'));

test('a symlink in the tree is never followed to the host', findsExactly,
  { 'root/.bash_history': { link: '/etc/hostname' }, 'home/x': { link: '/root' } },
  []);

test('a finding shows its detail, not the secret', async (t) => {
  const root = await plantTree(CLEAN_BASE, {
    'root/.my.cnf': '[client]\npassword=hunter2\n',
    'opt/k': KEYS.rsa,
  });
  const findings = await auditTree(root);
  await rm(root, { recursive: true, force: true });
  const details = findings.map((f) => f.detail).sort();
  t.deepEqual(details, ['MySQL client config with password=', 'PEM private key block']);
  t.false(JSON.stringify(findings).includes('hunter2'));
});

test('an audit that did not run to its end is an error, not a clean result', (t) => {
  t.throws(() => parseAuditOutput('FINDING\tprivate_key\t0\t/x\tPEM\n'), {
    message: /did not run to its end/,
  });
});

test('in a live guest, what this boot made is set aside and the rest reported', async (t) => {
  const injected =
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIInjectedByTheVerificationBoot0099 amibake-verify';
  // Written after the host booted, as a boot's own files would be.
  const root = await plantTree(CLEAN_BASE, {
    'home/admin/.ssh/authorized_keys': `${injected}\n${PUBKEY_BAKED}\n`,
    'etc/ssh/ssh_host_ed25519_key': OPENSSH_KEY,
    'var/lib/cloud/instances/i-0verify/x': 'y',
    'root/.bash_history': 'ls\n',
  });
  const exec = localShellExec();
  const all = brief(await auditGuest(exec, { root }));
  const live = brief(await auditGuest(exec, { root, live: { injectedKeys: [injected] } }));
  await rm(root, { recursive: true, force: true });
  t.deepEqual(all, [
    ['authorized_keys', '/home/admin/.ssh/authorized_keys'],
    ['build_key', '/home/admin/.ssh/authorized_keys'],
    ['cloud_init_state', '/var/lib/cloud/instances/i-0verify'],
    ['shell_history', '/root/.bash_history'],
    ['ssh_host_key', '/etc/ssh/ssh_host_ed25519_key'],
  ]);
  t.deepEqual(live, [
    ['authorized_keys', '/home/admin/.ssh/authorized_keys'],
    ['shell_history', '/root/.bash_history'],
  ]);
});

test('findings block a public image and only warn for a private one', (t) => {
  const one: AuditFinding[] = [{ kind: 'shell_history', path: '/root/.bash_history', detail: 'x' }];
  t.is(auditSeverity(one, true), 'error');
  t.is(auditSeverity(one, false), 'warning');
  t.is(auditSeverity([], true), 'none');
});

test('the audit script is clean under shellcheck', (t) => {
  t.notThrows(() => execFileSync('shellcheck', [path.resolve('src/verify/audit.sh')]));
});
