// Builds directory trees shaped like an image root for audit tests: a clean base with look-
// alikes that must NOT be reported, and one planting per kind of secret.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type Plant = Record<string, string | { link: string } | { dir: true } | { bytes: number }>;

const { privateKey: RSA_PEM, publicKey: RSA_PUBLIC } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const { privateKey: PKCS8_PEM } = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
export const KEYS = { rsa: RSA_PEM, pkcs8: PKCS8_PEM, publicPem: RSA_PUBLIC };

export const OPENSSH_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  '-----END OPENSSH PRIVATE KEY-----',
  '',
].join('\n');

export const PUBKEY_BAKED =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBakedBakedBakedBakedBakedBakedBaked01 alice@laptop';
export const PUBKEY_BUILD =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuildBuildBuildBuildBuildBuildBuild02 amibake-4242';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

// Everything here is harmless: public certs and keys, empty histories, configs without secrets,
// a locked root, apt's lock, pseudo filesystems and trust stores (never searched).
export const CLEAN_BASE: Plant = {
  'etc/shadow': 'root:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n',
  'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\n',
  'etc/ssh/sshd_config': 'PermitRootLogin no\n',
  'etc/ssh/ssh_host_ed25519_key.pub': 'ssh-ed25519 AAAA host\n',
  'etc/ssl/certs/ca-certificates.crt': CERT,
  'etc/ssl/certs/trust-store-key.pem': RSA_PEM,
  'usr/share/ca-certificates/mozilla/Some_CA.crt': CERT,
  'usr/lib/python3/dist-packages/certifi/cacert.pem': CERT.repeat(3),
  'usr/share/doc/openssl/public.pem': RSA_PUBLIC,
  'usr/share/i18n/locales/id_ID': 'LC_IDENTIFICATION\n',
  'proc/1/environ': RSA_PEM,
  'run/secrets/key': RSA_PEM,
  'home/admin/.ssh/id_ed25519.pub': `${PUBKEY_BAKED}\n`,
  'home/admin/.ssh/known_hosts': 'example ssh-ed25519 AAAA\n',
  'home/admin/.ssh/authorized_keys': '# no keys\n\n',
  'home/admin/.bash_history': '',
  'home/admin/.aws/config': '[default]\nregion = us-east-1\n',
  'home/admin/.my.cnf': '[client]\nuser = admin\npassword =\n',
  'home/admin/.bashrc': 'export PS1=x\n',
  'var/lib/apt/lists/lock': '',
  'var/lib/apt/lists/partial': { dir: true },
  'var/cache/apt/archives/partial': { dir: true },
  'var/cache/apt/archives/lock': '',
  'var/lib/cloud/seed': { dir: true },
  'tmp/other-file': 'x',
};

export async function plantTree(...plants: Plant[]): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'amibake-tree-'));
  for (const plant of plants) {
    for (const [rel, what] of Object.entries(plant)) {
      const file = path.join(root, rel);
      await mkdir(path.dirname(file), { recursive: true });
      if (typeof what === 'string') await writeFile(file, what);
      else if ('link' in what) await symlink(what.link, file);
      else if ('dir' in what) await mkdir(file, { recursive: true });
      else {
        await writeFile(file, '');
        await truncate(file, what.bytes);
      }
    }
  }
  return root;
}
