import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../../src/errors.js';
import { formatHcl } from '../../src/render/hcl-format.js';
import { hasCommand, run, tempDir } from './fixtures.js';

const messy = `
packer {
required_version = ">= 1.6.0"
}


source "qemu" "x" {
disk_image = true
ssh_private_key_file = "/k = v"
cpus = 2
qemuargs = [
["-netdev", "user,id=user.0,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22"],
]
memory = 1024
tags = {
"ünï" = "x"
"amibake:base-ami" = "{{ .SourceAMI }}"
"a{b" = "c]d"
}
}

build {
sources = [
"source.qemu.x",
]

provisioner "shell" {
script = "/s.sh"
execute_command = "chmod +x {{ .Path }}"
}
}
`;

test('indents by bracket depth and aligns = in runs of one-line attributes', (t) => {
  const out = formatHcl(messy);
  t.true(out.includes('  disk_image           = true\n  ssh_private_key_file = "/k = v"\n'));
  t.true(out.includes('  qemuargs = [\n    ["-netdev",'));
  t.true(out.includes('    "ünï"              = "x"\n'));
  t.true(out.includes('    "a{b"              = "c]d"\n'));
  t.false(out.includes('\n\n\n'));
  t.true(out.endsWith('}\n'));
});

test('refuses a closing bracket that was never opened', (t) => {
  t.throws(() => formatHcl('a = 1\n}\n'), { instanceOf: RenderError });
});

const withPacker = hasCommand('packer') ? test : test.skip;

withPacker('its output is what packer fmt writes', async (t) => {
  const dir = await tempDir('hcl-format');
  const file = path.join(dir, 'messy.pkr.hcl');
  const formatted = formatHcl(messy);
  await writeFile(file, formatted);
  await run('packer', ['fmt', file], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  t.is(await readFile(file, 'utf8'), formatted);
});
