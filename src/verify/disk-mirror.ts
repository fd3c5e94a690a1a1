// Reads an ext4 disk image offline with debugfs (e2fsprogs: no root, no mount, no boot) and
// lays out a mirror tree that audit.sh can walk: every name, directory and symlink as in the
// image, small files and the files audit.sh reads whole with their content, larger files as
// sparse placeholders of their real size.
// Known limit: the disk must be a bare ext4 filesystem (as the local bake makes it), not a
// partitioned one; names that are not UTF-8 are mirrored with replacement characters.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProgram } from './guest.js';
import { VerifyError } from '../errors.js';
import { debug } from '../log.js';
import { registerTeardown } from '../local/reaper.js';

// Must match audit.sh: it greps files up to 64 KiB anywhere, and these by name at any size.
const CONTENT_LIMIT = 64 * 1024;
const READ_WHOLE = /^(authorized_keys2?|shadow|config|credentials|\.my\.cnf|.*\.pem)$/;
const TOOL_TIMEOUT_MS = 10 * 60_000;
const LINK_PLACEHOLDER = 'amibake-offline-symlink';
// debugfs exits 0 even when it could not open the image: a short (truncated) file says so
// only in "short read while trying to open" and "Filesystem not open", and must not pass as
// an empty, clean disk.
const NOT_EXT4 = new RegExp([
  'Bad magic number', "Couldn't find valid filesystem superblock",
  'while trying to open', 'Filesystem not open',
].join('|'));

interface Entry {
  inode: number;
  mode: number;
  name: string;
  size: number;
}

export function debugfsPath(): string {
  for (const candidate of ['/usr/sbin/debugfs', '/sbin/debugfs']) {
    if (existsSync(candidate)) return candidate;
  }
  return 'debugfs';
}

// Gives a raw image of the disk: the file itself when raw already, else a converted copy.
export async function rawImage(disk: string, workDir: string): Promise<string> {
  const info = await runProgram('qemu-img', ['info', '--output=json', disk], { timeoutMs: 60_000 });
  if (info.code !== 0) throw new VerifyError(`qemu-img info ${disk} failed: ${info.stderr.trim()}`);
  const format = (JSON.parse(info.stdout) as { format?: string }).format;
  if (format === 'raw') return disk;
  const raw = path.join(workDir, 'disk.raw');
  const args = ['convert', '-O', 'raw', disk, raw];
  const converted = await runProgram('qemu-img', args, { timeoutMs: TOOL_TIMEOUT_MS });
  if (converted.code !== 0) {
    throw new VerifyError(`qemu-img convert ${disk} failed: ${converted.stderr.trim()}`);
  }
  return raw;
}

// Runs debugfs commands in one process; returns stdout, which echoes each command line.
async function debugfsBatch(image: string, commands: string[], workDir: string): Promise<string> {
  const file = path.join(workDir, 'debugfs.cmds');
  await writeFile(file, `${commands.join('\n')}\n`);
  const result = await runProgram(debugfsPath(), ['-f', file, image], {
    timeoutMs: TOOL_TIMEOUT_MS,
  });
  if (result.code === 127) {
    throw new VerifyError(`debugfs could not be run: ${lastLine(result.stderr)}`, {
      hint: 'install e2fsprogs, which the offline audit of local disks needs',
    });
  }
  if (result.code !== 0 || NOT_EXT4.test(result.stderr)) {
    // The line saying why the image would not open, not the "Filesystem not open" echoes.
    const opening = result.stderr.split('\n').find((l) => /trying to open|superblock/i.test(l));
    const why = (opening ?? lastLine(result.stderr)).replace(/^debugfs: /, '');
    throw new VerifyError(`debugfs cannot read ${image} as ext4: ${why}`, {
      hint: 'the offline audit reads bare ext4 disks as the local bake makes them',
    });
  }
  return result.stdout;
}

const RECORD = /^\/(\d+)\/(\d+)\/\d+\/\d+\/([\s\S]*)\/(\d*)\/$/;

// Splits `ls -p` output of several directories into entries per listed inode. A name with a
// newline spans lines, so a line that is not yet a whole record is joined with the next.
export function parseListings(stdout: string): Map<number, Entry[]> {
  const byDir = new Map<number, Entry[]>();
  let current: Entry[] | undefined;
  let pending = '';
  for (const line of stdout.split('\n')) {
    const header = /^debugfs: ls -p <(\d+)>$/.exec(line);
    if (header && pending === '') {
      current = [];
      byDir.set(Number(header[1]), current);
      continue;
    }
    if (!current || (line === '' && pending === '')) continue;
    pending = pending === '' ? line : `${pending}\n${line}`;
    const match = RECORD.exec(pending);
    if (!match) continue;
    pending = '';
    const [, inode, mode, name, size] = match;
    if (name === '.' || name === '..') continue;
    current.push({
      inode: Number(inode),
      mode: Number.parseInt(mode, 8),
      name,
      size: Number(size || 0),
    });
  }
  return byDir;
}

const kindOf = (mode: number): 'dir' | 'file' | 'link' | 'other' => {
  const type = mode >> 12;
  return type === 0o04 ? 'dir' : type === 0o10 ? 'file' : type === 0o12 ? 'link' : 'other';
};

interface Plan {
  dumps: { inode: number; dest: string }[];
  placeholders: { dest: string; size: number }[];
  files: number;
}

// Walks the image's directories level by level (one debugfs run per level) and builds the tree.
async function layOut(image: string, mirror: string, workDir: string): Promise<Plan> {
  const plan: Plan = { dumps: [], placeholders: [], files: 0 };
  let level = new Map<number, string>([[2, mirror]]);
  const seen = new Set<number>([2]);
  while (level.size > 0) {
    const commands = [...level.keys()].map((inode) => `ls -p <${inode}>`);
    const listings = parseListings(await debugfsBatch(image, commands, workDir));
    const next = new Map<number, string>();
    for (const [dirInode, dirPath] of level) {
      for (const entry of listings.get(dirInode) ?? []) {
        const dest = path.join(dirPath, entry.name);
        const kind = kindOf(entry.mode);
        if (kind === 'dir' && !seen.has(entry.inode)) {
          seen.add(entry.inode);
          await mkdir(dest, { recursive: true });
          next.set(entry.inode, dest);
        } else if (kind === 'link') {
          await symlink(LINK_PLACEHOLDER, dest).catch(() => undefined);
        } else if (kind === 'file') {
          plan.files++;
          const whole = entry.size <= CONTENT_LIMIT || READ_WHOLE.test(entry.name);
          if (whole) plan.dumps.push({ inode: entry.inode, dest });
          else plan.placeholders.push({ dest, size: entry.size });
        }
      }
    }
    level = next;
  }
  return plan;
}

async function fillFiles(image: string, plan: Plan, workDir: string): Promise<void> {
  const blobs = path.join(workDir, 'blobs');
  await mkdir(blobs, { recursive: true });
  // Blobs are named by number so no image-side name ever has to be quoted for debugfs.
  const commands = plan.dumps.map((d, i) => `dump <${d.inode}> "${path.join(blobs, String(i))}"`);
  await debugfsBatch(image, commands, workDir);
  for (const [i, d] of plan.dumps.entries()) {
    await rename(path.join(blobs, String(i)), d.dest).catch(() => writeFile(d.dest, ''));
  }
  for (const p of plan.placeholders) {
    await writeFile(p.dest, '');
    await truncate(p.dest, p.size);
  }
}

export interface Mirror {
  root: string;
  /** Holds the mirror and any converted raw copy; removed by remove(). */
  dir: string;
  files: number;
  remove(): Promise<void>;
}

export async function mirrorDisk(disk: string): Promise<Mirror> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'amibake-audit-'));
  // An interrupted audit leaves no copy of the image's files behind.
  const release = registerTeardown({
    onSignal: () => rm(workDir, { recursive: true, force: true }),
    onExit: () => rmSync(workDir, { recursive: true, force: true }),
  });
  const remove = async () => {
    await rm(workDir, { recursive: true, force: true });
    release();
  };
  try {
    const image = await rawImage(disk, workDir);
    const root = path.join(workDir, 'root');
    await mkdir(root);
    const started = Date.now();
    const plan = await layOut(image, root, workDir);
    await fillFiles(image, plan, workDir);
    await rm(path.join(workDir, 'disk.raw'), { force: true });
    debug(`audit: mirrored ${plan.files} files of ${disk} in ${Date.now() - started} ms`);
    return { root, dir: workDir, files: plan.files, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
