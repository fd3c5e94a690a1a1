// Real base build and real boots (TCG here): slow, so run serially and sparingly.
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BakeError } from '../../src/errors.js';
import { repoRoot } from '../../src/paths.js';
import { sha256File } from '../../src/util/fs.js';
import { detectAccelerator } from '../../src/local/accel.js';
import { basesDir, ensureBase, listBases, type BaseImage } from '../../src/local/base.js';
import { isAlive, sleep, waitUntil } from '../../src/local/proc.js';
import { defaultRecipe, recipeHash, REQUIRED_PACKAGES } from '../../src/local/recipe.js';
import { withVm, type VmHandle } from '../../src/local/vm.js';
import { sshExec } from '../../src/local/ssh.js';

let tmp: string;
let base: BaseImage | undefined;
const defaultHash = recipeHash(defaultRecipe());

test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'amibake-local-'));
  process.env.AMIBAKE_CACHE_DIR = path.join(tmp, 'cache');
});

test.after.always(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const fixture = (name: string) => path.join(repoRoot, 'test', 'local', 'fixtures', name);

function spawnFixture(name: string, args: string[] = []): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], {
    cwd: repoRoot,
    // The child's VM work directory lands in our temp dir even when it is killed outright.
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return Object.assign(child, { output: () => output });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// Any process whose command line names our temp dir is one this file started.
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // The process ended while being looked at.
    }
  }
  return pids;
}

const partials = () => readdirSafe(basesDir()).filter((n) => n.includes('.partial-'));

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// Reads the artifact's own filesystem (not a booted copy) with debugfs.
function debugfs(qcow2: string, request: string): string {
  const raw = path.join(tmp, 'inspect.raw');
  execFileSync('qemu-img', ['convert', '-O', 'raw', qcow2, raw]);
  try {
    return execFileSync('debugfs', ['-R', request, raw], { encoding: 'utf8', stdio: 'pipe' });
  } finally {
    execFileSync('rm', ['-f', raw]);
  }
}

test.serial('a build killed at a random moment leaves no finished base, no process', async (t) => {
  const child = spawnFixture('build-base.ts');
  const exit = exitOf(child);
  t.true(await waitUntil(() => partials().length > 0, 60_000), child.output());
  const delay = 3_000 + Math.floor(Math.random() * 25_000);
  t.log(`sending SIGTERM ${delay} ms into the build`);
  await sleep(delay);
  child.kill('SIGTERM');
  const { code } = await exit;
  t.is(code, 143, child.output());
  t.false(existsSync(path.join(basesDir(), defaultHash)));
  t.deepEqual(await listBases(), []);
  t.true(await waitUntil(() => processesMentioning(tmp).length === 0, 10_000));
  t.false(existsSync(path.join(basesDir(), `${defaultHash}.lock`)));
});

test.serial('a build with a package Debian lacks fails and leaves no base', async (t) => {
  const packages = [...REQUIRED_PACKAGES, 'amibake-no-such-package'];
  const recipe = { ...defaultRecipe(), packages };
  const hash = recipeHash(recipe);
  const error = await t.throwsAsync(ensureBase(recipe), { instanceOf: BakeError });
  t.regex(error!.message, /mmdebstrap exited with \d+ \(full log: .*\.build\.log\)/);
  t.false(existsSync(path.join(basesDir(), hash)));
  t.false(partials().some((n) => n.startsWith(hash)));
  const log = await readFile(path.join(basesDir(), `${hash}.build.log`), 'utf8');
  t.regex(log, /amibake-no-such-package/);
});

test.serial('a real build makes a base and clears the interrupted one before it', async (t) => {
  base = await ensureBase();
  t.log(`base build: ${base.builtSeconds} s`);
  t.true(base.builtSeconds > 0);
  t.is(base.recipeHash, defaultHash);
  t.is(base.dir, path.join(basesDir(), defaultHash));
  t.is(base.sha256, await sha256File(base.qcow2));
  t.regex(base.kernelVersion, /-amd64$/);
  for (const file of [base.kernel, base.initrd]) t.true(existsSync(file));
  t.deepEqual(partials(), []);
  const infoArgs = ['info', '--output=json', base.qcow2];
  const infoJson = execFileSync('qemu-img', infoArgs, { encoding: 'utf8' });
  const info = JSON.parse(infoJson);
  t.is(info.format, 'qcow2');
  t.is(info['virtual-size'], 6 * 1024 ** 3);
  t.deepEqual((await listBases()).map((b) => b.recipeHash), [defaultHash]);
});

test.serial('a second ensureBase reuses the cached base at once', async (t) => {
  t.truthy(base);
  const started = Date.now();
  const again = await ensureBase();
  const elapsed = Date.now() - started;
  t.log(`reuse took ${elapsed} ms`);
  t.is(again.builtSeconds, 0);
  t.true(elapsed < 3_000);
  t.is(again.sha256, base!.sha256);
  t.is(again.qcow2, base!.qcow2);
});

test.serial('the disk image itself holds no host keys and no authorized_keys', (t) => {
  const ssh = debugfs(base!.qcow2, 'ls -p /etc/ssh');
  t.regex(ssh, /sshd_config/);
  t.notRegex(ssh, /ssh_host_/);
  const home = debugfs(base!.qcow2, 'ls -p /home/amibake');
  t.regex(home, /\.bashrc/);
  t.notRegex(home, /\/\.ssh\//);
  t.regex(debugfs(base!.qcow2, 'cat /etc/resolv.conf'), /^nameserver 10\.0\.2\.3$/m);
});

test.serial('a booted base lets the injected key in as the build user', async (t) => {
  const { accelerator } = await detectAccelerator();
  const serialLog = path.join(tmp, 'serial.log');
  let handle: VmHandle | undefined;
  const booted = Date.now();
  const options = {
    disk: base!.qcow2, kernel: base!.kernel, initrd: base!.initrd, snapshot: true as const,
    accelerator, serialLog, forwards: [{ guest: 22 }], offline: true,
  };
  let stopStarted = 0;
  await withVm(options, async (vm) => {
    handle = vm;
    t.log(`boot to ssh (${accelerator}): ${(Date.now() - booted) / 1000} s`);
    const whoami = await vm.exec('id -un');
    t.deepEqual(whoami, { code: 0, stdout: 'amibake\n', stderr: '', timedOut: false });
    t.is((await vm.exec('cat /etc/hostname')).stdout, 'amibake\n');
    t.is((await vm.exec('ls /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ecdsa_key')).code, 0);
    const keys = '~/.ssh/authorized_keys';
    const authorized = await vm.exec(`stat -c "%a %U" ${keys} && cat ${keys}`);
    const publicKey = execFileSync('ssh-keygen', ['-y', '-f', vm.privateKeyFile], {
      encoding: 'utf8',
    });
    t.is(authorized.stdout.split('\n')[0], '600 amibake');
    t.true(authorized.stdout.includes(publicKey.trim().split(' ').slice(0, 2).join(' ')));
    t.is((await vm.exec('sudo -n id -u')).stdout, '0\n');
    const copied = path.join(tmp, 'host-key');
    await vm.copyFrom('/etc/ssh/ssh_host_ed25519_key', copied);
    t.regex(await readFile(copied, 'utf8'), /BEGIN OPENSSH PRIVATE KEY/);
    const slow = await vm.exec('sleep 30', { timeoutMs: 1_000 });
    t.like(slow, { code: 124, timedOut: true });
    const viaForward = await sshExec({ ...vm, sshPort: vm.ports[22] }, 'echo forwarded', 30_000);
    t.not(vm.ports[22], vm.sshPort);
    t.is(viaForward.stdout, 'forwarded\n');
    // offline (restrict=on): QEMU's DNS at 10.0.2.3 is out of reach too.
    t.not((await vm.exec('getent hosts deb.debian.org', { timeoutMs: 60_000 })).code, 0);
    stopStarted = Date.now();
  });
  t.log(`stop took ${Date.now() - stopStarted} ms`);
  t.false(isAlive(handle!.pid));
  await t.notThrowsAsync(handle!.stop());
  t.regex(await readFile(serialLog, 'utf8'), /Linux version/);
  t.is(await sha256File(base!.qcow2), base!.sha256);
});

async function bootInChild(t: { log: (m: string) => void }) {
  const serialLog = path.join(tmp, `child-serial-${Date.now()}.log`);
  const args = [base!.qcow2, base!.kernel, base!.initrd, serialLog];
  const child = spawnFixture('boot-and-wait.ts', args);
  const exit = exitOf(child);
  const printed = await waitUntil(() => /"pid":\d+/.test(child.output()), 60_000);
  if (!printed) throw new Error(`the child printed no qemu pid: ${child.output()}`);
  const pid = Number(/"pid":(\d+)/.exec(child.output())![1]);
  t.log(`child ${child.pid} runs qemu ${pid}`);
  return { child, exit, pid };
}

test.serial('Ctrl-C on a process with a live VM ends its qemu, then exits 130', async (t) => {
  const { child, exit, pid } = await bootInChild(t);
  t.true(isAlive(pid));
  await sleep(1_000);
  child.kill('SIGINT');
  const { code } = await exit;
  t.is(code, 130, child.output());
  t.false(isAlive(pid));
});

test.serial('a parent killed outright still takes its qemu with it', async (t) => {
  const { child, exit, pid } = await bootInChild(t);
  t.true(isAlive(pid));
  child.kill('SIGKILL');
  await exit;
  t.true(await waitUntil(() => !isAlive(pid), 5_000));
});

test.serial('the base command reuses, lists, keeps with --unused, then cleans all', async (t) => {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'amibake.js'), 'base', ...args], {
      encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
  const cached = JSON.parse(cli('build', '--json')) as BaseImage;
  t.like(cached, { recipeHash: defaultHash, builtSeconds: 0, sha256: base!.sha256 });
  const listed = JSON.parse(cli('list', '--json')) as { recipeHash: string; sizeBytes: number }[];
  t.deepEqual(listed.map((b) => b.recipeHash), [defaultHash]);
  t.true(listed[0].sizeBytes > 100 * 1024 ** 2);
  t.regex(cli('list'), new RegExp(`^${defaultHash.slice(0, 12)}\\s+bookworm\\s+\\d`, 'm'));
  const kept = JSON.parse(cli('clean', '--unused', '--json'));
  t.deepEqual(kept.removed, []);
  t.true(existsSync(base!.qcow2));
  const cleaned = JSON.parse(cli('clean', '--json'));
  t.deepEqual(cleaned.removed, [defaultHash]);
  t.deepEqual(readdirSafe(basesDir()), []);
});
