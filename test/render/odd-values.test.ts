// Values full of quotes, $, ${, %{, backticks, backslashes, newlines and unicode pass the spec
// check, render to HCL and scripts that Packer, bash and shellcheck accept, and reach a step
// unchanged when Packer really runs it (null builder, SSH to a stand-in machine).
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderBuild } from '../../src/render/render.js';
import { parseSpec } from '../../src/spec/load.js';
import type { LoadedSpec, TargetName } from '../../src/spec/types.js';
import { sha256 } from '../../src/util/fs.js';
import { contextFor, hasCommand, packer166, packerEnv, run, tempDir } from './fixtures.js';
import { provisioners } from './rendered.js';
import { SSHD, startStandIn } from './stand-in-sshd.js';

const VALUES: Record<string, string> = {
  V_DOUBLE: 'a "b" c',
  V_SINGLE: "it's 'quoted'",
  V_DOLLAR: '$HOME $(id) ${HOME} $1',
  V_HCL: '${var.x} %{ if true }y%{ endif }',
  V_ESCAPED: '$${a} %%{b} $$ %% $ %',
  V_BACKTICK: '`id` and \\`x\\`',
  V_NEWLINES: 'line1\nline2\n',
  V_CRLF: 'a\r\nb',
  V_TAB: 'a\tb',
  V_BACKSLASH: 'back\\slash\\',
  V_UNICODE: 'é 🎉 ü \u200b',
  V_SHELL: '; rm -rf /nonexistent; echo & | > <',
  V_EMPTY: '',
  V_SPACES: '  lead and trail  ',
  V_BRACES: '{ } }} {',
  V_PERCENT: '%s %d %v %!',
  V_EQUALS: 'a=b=c',
  V_GLOB: '* ? [a-z]',
};

const ODD = 'it\'s "q" $HOME ${x} %{y} `id` \\ é';

function specText(): string {
  const vars = Object.entries(VALUES)
    .map(([name, value]) => `      ${name}: ${JSON.stringify(value)}`)
    .join('\n');
  return `description: ${JSON.stringify(`Odd ${ODD}`)}
architecture: x86_64
targets:
  local:
    release: bookworm
  aws:
    base:
      owners: [amazon]
      name_filter: ${JSON.stringify(`debian-\${x}-%{y}-*`)}
      virtualization: hvm
      root_device: ebs
      distro: debian
    instance_type: t3.micro
debconf:
  - ${JSON.stringify(`pkg q/x string ${ODD}`)}
files:
  - destination: ${JSON.stringify(`/etc/${ODD}.conf`)}
    content: ${JSON.stringify(`${ODD}\n{{ .Not }} a template here\n`)}
sources:
  - name: a+b_c-1.0.tar.gz
    url: https://example.org/a
    sha256: "${'0'.repeat(64)}"
    destination: ${JSON.stringify(`/opt/${ODD}`)}
steps:
  - script: dump-env
    vars:
${vars}
publish:
  public: false
  regions: [us-east-1]
  tags:
    ${JSON.stringify(`k ${ODD}`)}: ${JSON.stringify(`v ${ODD}`)}
`;
}

// Writes every V_ variable it was given into its own file, byte for byte.
function dumpScript(out: string): string {
  return `#!/usr/bin/env bash
set -euo pipefail
mkdir -p '${out}'
for name in $(compgen -v | grep '^V_'); do
  printf '%s' "\${!name}" > '${out}'/"$name"
done
`;
}

async function setUp(prefix: string) {
  const root = await tempDir(prefix);
  const provisionersDir = path.join(root, 'provisioners');
  await mkdir(provisionersDir);
  await writeFile(path.join(provisionersDir, 'dump-env.sh'), dumpScript(path.join(root, 'got')));
  const file = path.join(root, 'images', 'odd.yaml');
  const text = specText();
  const parsed = parseSpec(text, file, { provisionersDir });
  const loaded: LoadedSpec = { name: 'odd', file, spec: parsed.spec!, hash: sha256(text) };
  return { root, provisionersDir, parsed, loaded };
}

async function renderOdd(target: TargetName) {
  const { root, provisionersDir, parsed, loaded } = await setUp(`odd-${target}`);
  const ctx = await contextFor(target, root, packer166, { provisionersDir });
  return { root, parsed, loaded, result: await renderBuild(loaded, ctx) };
}

test('odd values are a valid spec', async (t) => {
  const { parsed } = await setUp('odd-spec');
  t.deepEqual(parsed.problems, []);
});

const toolsReady = hasCommand('packer') && hasCommand('shellcheck');
for (const target of ['local', 'aws'] as const) {
  const title = `${target}: odd values render to a build Packer, bash and shellcheck accept`;
  (toolsReady ? test : test.skip)(title, async (t) => {
    const { root, result } = await renderOdd(target);
    const opts = { env: packerEnv(root), cwd: result.dir };
    const validate = await run('packer', ['validate', 'build.pkr.hcl'], opts).catch((e) => e);
    t.is(validate.code ?? 0, 0, `${validate.stdout ?? ''}${validate.stderr ?? ''}`);
    const fmt = await run('packer', ['fmt', '-check', 'build.pkr.hcl'], opts).catch((e) => e);
    t.is(fmt.code ?? 0, 0, fmt.stdout ?? '');
    const scripts = result.files.filter((f) => f.startsWith('scripts/'));
    for (const script of scripts) {
      const full = path.join(result.dir, script);
      const syntax = await run('bash', ['-n', full]).catch((e) => e);
      t.is(syntax.code ?? 0, 0, `${script}: ${syntax.stderr ?? ''}`);
    }
    const lint = await run('shellcheck', scripts, { cwd: result.dir }).catch((e) => e);
    t.is(lint.code ?? 0, 0, lint.stdout ?? '');
    const content = result.files.find((f) => f.startsWith('files/'));
    t.is(await readFile(path.join(result.dir, content ?? ''), 'utf8'),
      `${ODD}\n{{ .Not }} a template here\n`);
  });
}

const standInReady = hasCommand('packer') && existsSync(SSHD);
if (!standInReady) console.error('odd-values: packer or sshd is missing; the run is skipped');

const withStandIn = standInReady ? test : test.skip;

withStandIn('Packer hands every odd step variable to the step unchanged', async (t) => {
  const { root, result } = await renderOdd('aws');
  const hcl = await readFile(path.join(result.dir, 'build.pkr.hcl'), 'utf8');
  const step = provisioners(hcl).find((p) => p.body.includes('dump-env.sh'));
  t.truthy(step, 'the step is rendered');
  const standIn = await startStandIn();
  t.teardown(() => standIn.stop());
  // The rendered step, word for word, run by Packer on a machine it reaches over SSH.
  const harness = `source "null" "stand-in" {
  communicator = "ssh"
  ssh_host = "127.0.0.1"
  ssh_port = ${standIn.port}
  ssh_username = "${standIn.user}"
  ssh_private_key_file = "${standIn.keyFile}"
}
build {
  sources = ["source.null.stand-in"]
  provisioner "shell" {
${step?.body}
  }
}
`;
  const dir = path.join(root, 'harness');
  await mkdir(dir);
  await writeFile(path.join(dir, 'run.pkr.hcl'), harness);
  const build = await run('packer', ['build', '-machine-readable', 'run.pkr.hcl'], {
    cwd: dir, env: packerEnv(root), timeout: 120_000,
  }).catch((e) => e);
  t.is(build.code ?? 0, 0, String(build.stdout ?? '').slice(-2000));
  for (const [name, value] of Object.entries(VALUES)) {
    t.is(await readFile(path.join(root, 'got', name), 'utf8'), value, name);
  }
});
