import test from 'ava';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { reportOutcome } from '../../src/cli/commands/verify.js';
import type { VerifyOutcome } from '../../src/verify/verify.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import { specYaml, writeFixture } from './aws-fixture.js';

// Captures what a function writes to stdout and stderr.
async function capture(fn: () => Promise<number> | number) {
  const out: string[] = [];
  const err: string[] = [];
  const write = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const into = (sink: string[]) =>
    ((chunk: string) => (sink.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stdout.write = into(out);
  process.stderr.write = into(err);
  try {
    const code = await fn();
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

function outcome(passed: boolean[], severity: VerifyOutcome['severity'] = 'none'): VerifyOutcome {
  const results = passed.map((p, i) => ({
    name: `check-${i}`, type: 'sql' as const, passed: p, expected: '1000',
    actual: p ? '1000' : '999', seconds: 1.5,
  }));
  const finding = { kind: 'shell_history' as const, path: '/root/.bash_history', detail: 'x' };
  const audit = severity === 'none' ? [] : [finding];
  return {
    verification: {
      status: passed.every(Boolean) ? 'passed' : 'failed',
      at: '2026-01-01T00:00:00.000Z',
      results,
      audit,
    },
    severity,
    manifest: {} as BuildManifest,
  };
}

test.serial('a pass prints a table on stderr, JSON on stdout, and exits 0', async (t) => {
  const r = await capture(() => reportOutcome('web', outcome([true, true]), true));
  t.is(r.code, 0);
  t.regex(r.stderr, /PASS\s+check-0\s+sql\s+1000\s+1000\s+1\.5s/);
  t.regex(r.stderr, /2 of 2 smoke tests passed/);
  t.is(JSON.parse(r.stdout).status, 'passed');
});

test.serial('one failed smoke test exits 1 and shows expected against actual', async (t) => {
  const r = await capture(() => reportOutcome('web', outcome([true, false]), false));
  t.is(r.code, 1);
  t.regex(r.stderr, /FAIL\s+check-1\s+sql\s+1000\s+999/);
  t.is(r.stdout, '');
});

test.serial('findings are errors for a public image, warnings for a private one', async (t) => {
  const pub = await capture(() => reportOutcome('web', outcome([true], 'error'), false));
  t.regex(pub.stderr, /audit: 1 finding\(s\) \(error\)\n\s+shell_history\s+\/root\/\.bash_history/);
  t.regex(pub.stderr, /web is public: publish refuses it/);
  t.is(pub.code, 0);
  const priv = await capture(() => reportOutcome('web', outcome([true], 'warning'), false));
  t.regex(priv.stderr, /\(warning\)/);
  t.notRegex(priv.stderr, /publish refuses/);
});

test.serial('usage mistakes exit 64 with a message saying what is wrong', async (t) => {
  const none = await capture(() => main(['verify']));
  t.is(none.code, 64);
  t.regex(none.stderr, /give exactly one image name/);
  const target = await capture(() => main(['verify', 'x', '--target', 'gcp']));
  t.regex(target.stderr, /--target must be one of aws, local, not "gcp"/);
  const port = await capture(() => main(['verify', 'x', '--target', 'aws', '--ssh-port', '2222']));
  t.regex(port.stderr, /--ssh-port needs --ssh-host/);
  const local = await capture(() => main(['verify', 'x', '--ssh-cidr', '10.0.0.1/32']));
  t.regex(local.stderr, /--ssh-cidr applies to --target aws only/);
});

test.serial('verifying a build that does not exist says how to make one', async (t) => {
  const yaml = specYaml('root', [{ name: 'hello', run: 'true' }]);
  const fx = await writeFixture('verify-cmd', yaml, { 'us-east-1': 'ami-1' });
  process.env.AMIBAKE_IMAGES_DIR = fx.imagesDir;
  const missing = '20990101t000000-000000';
  const args = ['verify', 'verify-cmd', '--target', 'aws', '--build', missing];
  const r = await capture(() => main(args));
  t.is(r.code, 7);
  t.regex(r.stderr, /no build 20990101t000000-000000 of verify-cmd for target aws/);
  // The spec declares only aws: asking for local names what it does declare, not a bake.
  const local = await capture(() => main(['verify', 'verify-cmd']));
  t.is(local.code, 64);
  t.regex(local.stderr, /verify-cmd declares no local target \(declared: aws\)/);
  t.regex(local.stderr, /hint: run amibake verify verify-cmd --target aws/);
  delete process.env.AMIBAKE_IMAGES_DIR;
  await rm(path.dirname(fx.imagesDir), { recursive: true, force: true });
});

