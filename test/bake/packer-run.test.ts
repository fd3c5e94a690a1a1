// The one-line failure of a Packer build: what the guest complained about and Packer's reason,
// not Packer's closing summary (lines below as Packer 1.6.6 printed them for an offline bake).
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PackerError } from '../../src/errors.js';
import { shellQuote } from '../../src/util/shell-quote.js';
import { failureSummary, requireArtifact, runPackerBuild } from '../../src/bake/packer-run.js';
import { parsePackerLine, progressText } from '../../src/bake/packer-stream.js';

const OFFLINE_APT = [
  '1796403999,,ui,error,==> qemu.wafflegrid: E: Unable to locate package mariadb-client',
  '1796403999,,ui,error,==> qemu.wafflegrid: E: Unable to locate package mariadb-server',
  '1796403999,,ui,error,==> qemu.wafflegrid: E: Unable to locate package memcached',
  "1796403999,,ui,error,Build 'qemu.wafflegrid' errored after 1 minute 19 seconds: Script exited" +
    ' with non-zero exit status: 100.Allowed exit codes are: [0]',
  "1796403999,,ui,error,\\n==> Some builds didn't complete successfully and had errors:",
  '1796403999,,ui,error,--> qemu.wafflegrid: Script exited with non-zero exit status: 100.Allowed' +
    ' exit codes are: [0]',
];

// As runPackerBuild collects them: the progress text without its "! " mark.
const errorsOf = (lines: string[]) =>
  lines.map((l) => progressText(parsePackerLine(l)!)!.replace(/^! /, ''));

test("a failed step names the guest's errors and Packer's reason on one line", (t) => {
  const summary = failureSummary(errorsOf(OFFLINE_APT));
  t.is(
    summary,
    'E: Unable to locate package mariadb-client | E: Unable to locate package mariadb-server | ' +
      'E: Unable to locate package memcached | Script exited with non-zero exit status: 100.' +
      'Allowed exit codes are: [0]',
  );
});

test('the thrown error is one line with the step and the log to read', (t) => {
  const errors = errorsOf(OFFLINE_APT);
  const result = { exitCode: 1, artifacts: [], errors, seconds: 80, lastStep: 'packages.sh' };
  const error = t.throws(() => requireArtifact(result, '/b/packer.log'), {
    instanceOf: PackerError,
  });
  t.regex(error!.message, /^packer build failed in step packages\.sh \(exit 1\): E: Unable to/);
  t.notRegex(error!.message, /\n|Some builds didn't complete/);
  t.is(error!.hint, 'full log: /b/packer.log');
});

test("without guest lines, Packer's own last error is kept", (t) => {
  t.is(failureSummary(['Timeout waiting for SSH.']), 'Timeout waiting for SSH.');
  t.is(failureSummary([]), '');
});

// A stand-in `packer` on PATH that prints these machine-readable lines and exits 1.
async function fakePacker(lines: string[]): Promise<{ dir: string; restore: () => void }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-fake-packer-'));
  const body = lines.map((l) => `printf '%s\\n' ${shellQuote(l)}`).join('\n');
  await writeFile(path.join(dir, 'packer'), `#!/bin/sh\n${body}\nexit 1\n`);
  await chmod(path.join(dir, 'packer'), 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved}`;
  return { dir, restore: () => void (process.env.PATH = saved) };
}

test.serial("an earlier step's stderr is left out of a later step's failure", async (t) => {
  const say = (text: string) => `1,,ui,say,${text}`;
  const error = (text: string) => `1,,ui,error,${text}`;
  const fake = await fakePacker([
    say('==> qemu.x: Provisioning with shell script: /b/scripts/enable-services.sh'),
    error('==> qemu.x: Synchronizing state of mariadb.service with SysV service script'),
    say('==> qemu.x: Provisioning with shell script: /b/steps/load-sakila.sh'),
    error('==> qemu.x: load-sakila: sakila-schema.sql is missing'),
    error("Build 'qemu.x' errored after 3 minutes: Script exited with non-zero exit status: 1"),
  ]);
  try {
    const result = await runPackerBuild({ dir: fake.dir, logFile: path.join(fake.dir, 'p.log') });
    const thrown = t.throws(() => requireArtifact(result, 'p.log'), { instanceOf: PackerError });
    t.is(
      thrown!.message,
      'packer build failed in step load-sakila.sh (exit 1): load-sakila: sakila-schema.sql is ' +
        'missing | Script exited with non-zero exit status: 1',
    );
  } finally {
    fake.restore();
    await rm(fake.dir, { recursive: true, force: true });
  }
});
