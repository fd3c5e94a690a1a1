// The rendered builds of the fixture specs as Packer, bash and shellcheck see them.
import test from 'ava';
import path from 'node:path';
import type { RenderContext } from '../../src/render/context.js';
import { renderBuild } from '../../src/render/render.js';
import type { TargetName } from '../../src/spec/types.js';
import {
  contextFor, hasCommand, loadFixture, packer166, packer194, packerEnv, run, tempDir,
} from './fixtures.js';

const havePacker = hasCommand('packer');
const haveShellcheck = hasCommand('shellcheck');
const withPacker = havePacker ? test : test.skip;
if (!havePacker) console.error('render-packer: packer is not installed; its checks are skipped');

interface Case {
  title: string;
  spec: string;
  target: TargetName;
  extra?: Partial<RenderContext>;
}

const resolvedBase = {
  region: 'us-east-1',
  regions: ['us-east-1', 'us-west-2'],
  toolVersion: '0.1.0',
  baseAmi: 'ami-0abc',
};
const motoStyle = {
  ...resolvedBase,
  endpointEc2: 'http://127.0.0.1:5000',
  sshHost: '127.0.0.1',
  sshPort: '2222',
};

const cases: Case[] = [
  { title: 'lamp local', spec: 'lamp', target: 'local' },
  { title: 'lamp local offline', spec: 'lamp', target: 'local', extra: { offline: true } },
  { title: 'lamp aws', spec: 'lamp', target: 'aws' },
  { title: 'lamp aws moto-style', spec: 'lamp', target: 'aws', extra: { aws: motoStyle } },
  { title: 'lamp aws no-provision', spec: 'lamp', target: 'aws', extra: { noProvision: true } },
  { title: 'minimal aws (yum)', spec: 'minimal', target: 'aws', extra: { aws: resolvedBase } },
  { title: 'bare local', spec: 'bare', target: 'local' },
];

async function renderCase(c: Case, packer = packer166) {
  const root = await tempDir(`packer-${c.spec}-${c.target}`);
  const ctx = await contextFor(c.target, root, packer, c.extra);
  return { root, result: await renderBuild(await loadFixture(c.spec), ctx) };
}

for (const c of cases) {
  withPacker(`${c.title}: packer validate and fmt -check pass (Packer 1.6.6)`, async (t) => {
    const { root, result } = await renderCase(c);
    const env = packerEnv(root);
    const opts = { env, cwd: result.dir };
    const validate = await run('packer', ['validate', 'build.pkr.hcl'], opts).catch((e) => e);
    t.is(validate.code ?? 0, 0, `${validate.stdout ?? ''}${validate.stderr ?? ''}`);
    const fmt = await run('packer', ['fmt', '-check', 'build.pkr.hcl'], opts).catch((e) => e);
    t.is(fmt.code ?? 0, 0, `packer fmt wants changes:\n${fmt.stdout ?? ''}`);
  });

  test(`${c.title}: generated scripts pass bash -n and shellcheck`, async (t) => {
    const { result } = await renderCase(c);
    const scripts = result.files
      .filter((f) => f.startsWith('scripts/'))
      .map((f) => path.join(result.dir, f));
    if (scripts.length === 0) {
      t.is(c.extra?.noProvision, true, 'only a no-provision build has no scripts');
      return;
    }
    for (const script of scripts) {
      const syntax = await run('bash', ['-n', script]).catch((e) => e);
      t.is(syntax.code ?? 0, 0, `${script}: ${syntax.stderr ?? ''}`);
    }
    if (!haveShellcheck) return t.log('shellcheck is not installed; skipped');
    const lint = await run('shellcheck', scripts).catch((e) => e);
    t.is(lint.code ?? 0, 0, lint.stdout ?? '');
  });
}

// Packer 1.6.6 rejects required_plugins, so the modern output is checked for layout only.
for (const c of cases.filter((x) => x.title === 'lamp aws' || x.title === 'bare local')) {
  withPacker(`${c.title}: modern output is already packer-fmt formatted`, async (t) => {
    const { root, result } = await renderCase(c, packer194);
    const opts = { env: packerEnv(root), cwd: result.dir };
    const fmt = await run('packer', ['fmt', '-check', 'build.pkr.hcl'], opts).catch((e) => e);
    t.is(fmt.code ?? 0, 0, fmt.stdout ?? '');
  });
}
