import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectAccelerator } from '../../src/local/accel.js';
import { UsageError } from '../../src/errors.js';

const noForce = { ...process.env, AMIBAKE_ACCEL: undefined };
let tmp: string;
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amibake-accel-'));
});
test.after.always(() => rm(tmp, { recursive: true, force: true }));

async function fakeSys(modules: string[]) {
  const root = await mkdtemp(path.join(tmp, 'sys-'));
  for (const name of modules) await mkdir(path.join(root, 'module', name), { recursive: true });
  const device = path.join(root, 'kvm');
  await writeFile(device, '');
  return { sysModuleDir: path.join(root, 'module'), kvmDevice: device };
}

test('this host, whose KVM comes from kvm_pvm, gets TCG with the reason', async (t) => {
  const choice = await detectAccelerator({ env: noForce });
  t.is(choice.accelerator, 'tcg');
  t.regex(choice.reason, /no kvm_intel or kvm_amd module/);
  t.regex(choice.reason, /kvm_pvm/);
});

test('a loaded kvm_intel and a device that opens read-write give KVM', async (t) => {
  const fake = await fakeSys(['kvm', 'kvm_intel']);
  const choice = await detectAccelerator({ ...fake, env: noForce });
  t.deepEqual(choice, {
    accelerator: 'kvm',
    reason: `kvm_intel is loaded and ${fake.kvmDevice} opens read-write`,
  });
});

test('kvm_amd with a device that cannot be opened falls back to TCG and says why', async (t) => {
  const fake = await fakeSys(['kvm_amd']);
  const missing = `${fake.kvmDevice}-missing`;
  const choice = await detectAccelerator({ ...fake, kvmDevice: missing, env: noForce });
  t.is(choice.accelerator, 'tcg');
  t.regex(choice.reason, /kvm_amd is loaded but .* does not open read-write \(ENOENT\)/);
});

test('AMIBAKE_ACCEL forces the choice either way', async (t) => {
  const fake = await fakeSys(['kvm_intel']);
  t.is((await detectAccelerator({ ...fake, env: { AMIBAKE_ACCEL: 'tcg' } })).accelerator, 'tcg');
  const forced = await detectAccelerator({ env: { AMIBAKE_ACCEL: 'kvm' } });
  t.deepEqual(forced, { accelerator: 'kvm', reason: 'forced by AMIBAKE_ACCEL=kvm' });
});

test('an unknown AMIBAKE_ACCEL value is a usage error naming it', async (t) => {
  const error = await t.throwsAsync(detectAccelerator({ env: { AMIBAKE_ACCEL: 'hvf' } }), {
    instanceOf: UsageError,
  });
  t.regex(error!.message, /AMIBAKE_ACCEL="hvf"/);
});
