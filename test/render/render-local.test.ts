// The local target's rendered build: provisioner order, environment, QEMU source, scripts.
import test from 'ava';
import { order, provisioners, render } from './rendered.js';

test('local provisioners run prepare first, export the kernel, then clean up last', async (t) => {
  const { hcl, ctx } = await render('lamp', 'local');
  // The trailing slash uploads the directory's contents, not the directory itself.
  const upload = `source      = "${ctx.sourcesDir}/"\n    destination = "/tmp/amibake/sources"`;
  t.true(hcl.includes(upload));
  t.deepEqual(order(hcl), [
    'prepare',
    'upload:0-info.php',
    'upload:motd.txt',
    'upload:sources',
    'sources',
    'packages',
    'files',
    'web-setup',
    'db-setup',
    'boot-export',
    'download:vmlinuz',
    'download:initrd.img',
    'cleanup',
  ]);
});

test('shell provisioners get the amibake variables, steps their own, and use sudo', async (t) => {
  const { hcl } = await render('lamp', 'local');
  const shells = provisioners(hcl).filter((p) => p.kind === 'shell');
  const execute =
    'execute_command = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"';
  t.true(shells.length > 0);
  for (const s of shells) {
    t.true(s.body.includes('"AMIBAKE_TARGET=local",'));
    t.true(s.body.includes('"AMIBAKE_ARCH=x86_64",'));
    t.true(s.body.includes('"AMIBAKE_SOURCES_DIR=/tmp/amibake/sources",'));
    t.true(s.body.includes('"DEBIAN_FRONTEND=noninteractive",'));
    t.true(s.body.includes(execute));
  }
  const step = shells.find((s) => s.body.includes('web-setup.sh'));
  t.truthy(step);
  t.true(step?.body.includes('"DOC_ROOT=/var/www/html",'));
  const greeting = '"GREETING=it\'s \\"quoted\\" & <b> = `uname` $HOME $${x} %%{y} \\\\ back",';
  t.true(step?.body.includes(greeting));
});

test('the qemu source boots the base kernel with the key, on 127.0.0.1 only', async (t) => {
  const { hcl, ctx } = await render('lamp', 'local');
  const key = Buffer.from(ctx.local?.sshPublicKey ?? '').toString('base64');
  const append = `root=/dev/vda rw console=ttyS0 net.ifnames=0 amibake.ssh_key=${key}`;
  t.true(hcl.includes(`["-append", "${append}"],`));
  const netdev = 'user,id=user.0,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22';
  t.true(hcl.includes(`["-netdev", "${netdev}"],`));
  t.true(hcl.includes('["-device", "virtio-net,netdev=user.0"],'));
  t.true(hcl.includes(`["-serial", "file:${ctx.local?.serialLog}"],`));
  t.true(hcl.includes(`  iso_url              = "file://${ctx.local?.baseQcow2}"`));
  t.true(hcl.includes('  memory               = 1536'));
  t.true(hcl.includes('  cpus                 = 1'));
  t.true(hcl.includes('  vnc_bind_address     = "127.0.0.1"'));
  t.false(hcl.includes('restrict=on'));
});

test('an offline local bake cuts the guest off the network and skips apt-get update', async (t) => {
  const { hcl, read } = await render('lamp', 'local', { offline: true });
  t.true(hcl.includes('hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22,restrict=on"]'));
  t.false((await read('scripts/prepare.sh')).includes('apt-get'));
});

test('packages merge spec and target lists; debconf answers come before the install', async (t) => {
  const { read } = await render('lamp', 'local');
  const script = await read('scripts/packages.sh');
  const debconf = script.indexOf('debconf-set-selections');
  const install = script.indexOf('install -y');
  t.true(debconf > 0 && debconf < install);
  t.true(script.includes("'mariadb-server mysql-server/root_password password it'\\''s $ecret'"));
  t.true(script.includes('-o DPkg::Lock::Timeout=300'));
  const packages = [...script.slice(install).matchAll(/'([^']+)'/g)].map((m) => m[1]);
  t.deepEqual(packages, [
    'apache2',
    'libapache2-mod-php',
    'mariadb-server',
    'php',
    'php-mysql',
    'qemu-guest-agent',
  ]);
});

test('sources are checked by sha256 and copied to their own destination', async (t) => {
  const { read } = await render('lamp', 'local');
  const script = await read('scripts/sources.sh');
  const sum = '8f2ad3a2a8f9f3d4c6b7e1e0a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0';
  t.true(script.includes(`'${sum}' 'sakila-db.tar.gz' | sha256sum -c -`));
  const copy = "install -D -m 0644 -- 'sakila-db.tar.gz' '/opt/sakila/sakila-db.tar.gz'";
  t.true(script.includes(copy));
  t.false(script.includes("'/tmp/amibake/sources/notes.txt'"));
});

test('cleanup removes the build user key as its last command', async (t) => {
  const { read } = await render('lamp', 'local');
  const lines = (await read('scripts/cleanup.sh')).trimEnd().split('\n');
  t.is(lines[lines.length - 1], 'rm -f /root/.ssh/authorized_keys');
  const text = lines.join('\n');
  t.true(text.includes("getent passwd 'amibake'"));
  const pieces = [
    'ssh_host_',
    '.bash_history',
    'apt-get clean',
    'cloud-init clean',
    "'/tmp/amibake'",
  ];
  for (const piece of pieces) {
    t.true(text.includes(piece), piece);
  }
  t.true(text.indexOf('authorized_keys') > text.indexOf('cloud-init clean'));
});
