// Cached base disks under cacheDir()/bases/<recipeHash>/: built once, atomically, under a lock.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BakeError } from '../errors.js';
import { info, warn } from '../log.js';
import { cacheDir } from '../paths.js';
import { writeFileAtomic } from '../util/fs.js';
import { buildBaseInto } from './base-build.js';
import { acquireLock, LockHeldError } from '../util/lock.js';
import { isAlive } from './proc.js';
import { defaultRecipe, recipeHash, validateRecipe, type BaseRecipe } from './recipe.js';
import { removeTree } from './remove-tree.js';

export interface BaseImage {
  dir: string;
  qcow2: string;
  kernel: string;
  initrd: string;
  sha256: string;
  recipeHash: string;
  user: string;
  builtSeconds: number; // 0 when an existing base was reused
  release: string;
  kernelVersion: string;
}

// base.json, written into the directory before it is renamed into place.
interface BaseMeta {
  recipe: BaseRecipe;
  recipeHash: string;
  sha256: string;
  sizeBytes: number;
  kernelVersion: string;
  createdAt: string;
  buildSeconds: number;
}

export interface BaseInfo {
  recipeHash: string;
  release: string;
  arch: string;
  user: string;
  packages: string[];
  sizeBytes: number;
  createdAt: string;
  buildSeconds: number;
  kernelVersion: string;
  sha256: string;
  dir: string;
}

export { defaultRecipe, recipeHash, type BaseRecipe } from './recipe.js';

const META = 'base.json';
const HASH_DIR = /^[0-9a-f]{64}$/;
const PARTIAL = /^([0-9a-f]{64})\.partial-(\d+)$/;

export function basesDir(): string {
  return path.join(cacheDir(), 'bases');
}

export interface EnsureOptions {
  lockTimeoutMs?: number; // how long to wait for another build of the same recipe (1 h)
}

export async function ensureBase(
  recipe: BaseRecipe = defaultRecipe(),
  options: EnsureOptions = {},
): Promise<BaseImage> {
  validateRecipe(recipe);
  const hash = recipeHash(recipe);
  const final = path.join(basesDir(), hash);
  const reused = await readFinished(final);
  if (reused) return toImage(final, reused, 0);

  await mkdir(basesDir(), { recursive: true });
  const lock = await acquireLock(`${final}.lock`, `a build of base ${hash.slice(0, 12)}`, {
    waitMs: options.lockTimeoutMs ?? 60 * 60_000,
  }).catch((error: unknown) => {
    if (error instanceof LockHeldError) throw new BakeError(error.message, { hint: 'wait for it, or end it' });
    throw error;
  });
  try {
    // Another process may have finished it while this one waited for the lock.
    const built = await readFinished(final);
    if (built) return toImage(final, built, 0);
    if (existsSync(final)) {
      warn(`base ${hash.slice(0, 12)} is incomplete or damaged; rebuilding it`);
      await removeTree(final);
    }
    await removeStalePartials(hash);
    const meta = await buildFresh(final, hash, recipe);
    return toImage(final, meta, meta.buildSeconds);
  } finally {
    await lock.release();
  }
}

async function buildFresh(final: string, hash: string, recipe: BaseRecipe): Promise<BaseMeta> {
  const partial = `${final}.partial-${process.pid}`;
  const logFile = `${final}.build.log`;
  const started = Date.now();
  info(`base: building ${hash.slice(0, 12)} (${recipe.release}, ${recipe.arch}) in ${partial}`);
  try {
    await rm(logFile, { force: true });
    await mkdir(partial);
    const files = await buildBaseInto(partial, recipe, logFile);
    const meta: BaseMeta = {
      recipe,
      recipeHash: hash,
      sha256: files.sha256,
      sizeBytes: files.sizeBytes,
      kernelVersion: files.kernelVersion,
      createdAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await writeFileAtomic(path.join(partial, META), `${JSON.stringify(meta, null, 2)}\n`);
    await rename(logFile, path.join(partial, 'build.log'));
    // The only step that makes the base visible; everything before it is invisible.
    await rename(partial, final);
    info(`base: ${hash.slice(0, 12)} ready in ${meta.buildSeconds} s (${final})`);
    return meta;
  } catch (error) {
    await removeTree(partial).catch(() => undefined);
    throw error;
  }
}

async function readFinished(dir: string): Promise<BaseMeta | undefined> {
  let meta: BaseMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, META), 'utf8')) as BaseMeta;
  } catch {
    return undefined;
  }
  const expected: [string, number][] = [
    ['base.qcow2', meta.sizeBytes], ['vmlinuz', -1], ['initrd.img', -1],
  ];
  for (const [name, size] of expected) {
    try {
      const info = await stat(path.join(dir, name));
      if (size !== -1 && info.size !== size) return undefined;
    } catch {
      return undefined;
    }
  }
  return meta;
}

function toImage(dir: string, meta: BaseMeta, builtSeconds: number): BaseImage {
  return {
    dir,
    qcow2: path.join(dir, 'base.qcow2'),
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.img'),
    sha256: meta.sha256,
    recipeHash: meta.recipeHash,
    user: meta.recipe.user,
    builtSeconds,
    release: meta.recipe.release,
    kernelVersion: meta.kernelVersion,
  };
}

// Called under the recipe's lock: any partial directory of that recipe is a dead build's.
async function removeStalePartials(hash: string): Promise<void> {
  for (const name of await readdir(basesDir())) {
    const match = PARTIAL.exec(name);
    if (match?.[1] !== hash) continue;
    info(`base: removing ${name}, left by an interrupted build`);
    await removeTree(path.join(basesDir(), name));
  }
}

export async function listBases(): Promise<BaseInfo[]> {
  const bases: BaseInfo[] = [];
  for (const name of await readdirOrEmpty(basesDir())) {
    if (!HASH_DIR.test(name)) continue;
    const dir = path.join(basesDir(), name);
    const meta = await readFinished(dir);
    if (!meta) continue;
    bases.push({
      recipeHash: meta.recipeHash,
      release: meta.recipe.release,
      arch: meta.recipe.arch,
      user: meta.recipe.user,
      packages: meta.recipe.packages,
      sizeBytes: await dirBytes(dir),
      createdAt: meta.createdAt,
      buildSeconds: meta.buildSeconds,
      kernelVersion: meta.kernelVersion,
      sha256: meta.sha256,
      dir,
    });
  }
  return bases.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export interface CleanResult {
  removed: string[]; // recipe hashes of removed bases
  removedPartials: string[]; // directory names of dead builds
  freedBytes: number;
}

// Removes every finished base not in keep, plus leftovers of dead builds. A base whose
// build lock is held by a live process is left alone.
export async function cleanBases(options: { keep?: string[] } = {}): Promise<CleanResult> {
  const keep = new Set(options.keep ?? []);
  const result: CleanResult = { removed: [], removedPartials: [], freedBytes: 0 };
  for (const name of await readdirOrEmpty(basesDir())) {
    const full = path.join(basesDir(), name);
    const partial = PARTIAL.exec(name);
    const hash = partial?.[1] ?? name.slice(0, 64);
    if (await lockedByLiveProcess(hash)) continue;
    if (partial) {
      if (isAlive(Number(partial[2]))) continue;
      result.freedBytes += await dirBytes(full);
      await removeTree(full);
      result.removedPartials.push(name);
    } else if (HASH_DIR.test(name) && !keep.has(name)) {
      result.freedBytes += await dirBytes(full);
      await removeTree(full);
      result.removed.push(name);
    } else if (/\.(build\.log|lock)$/.test(name) && !keep.has(hash)) {
      await rm(full, { force: true });
    }
  }
  return result;
}

// The lock holds util/lock.ts's JSON holder ({"pid":..,"host":..}); a holder on another host
// is presumed alive, as acquireLock presumes it.
async function lockedByLiveProcess(hash: string): Promise<boolean> {
  let holder: { pid?: unknown; host?: unknown };
  try {
    const text = await readFile(path.join(basesDir(), `${hash}.lock`), 'utf8');
    holder = JSON.parse(text) as typeof holder;
  } catch {
    return false;
  }
  if (typeof holder?.host === 'string' && holder.host !== os.hostname()) return true;
  return typeof holder?.pid === 'number' && Number.isInteger(holder.pid) && isAlive(holder.pid);
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).blocks * 512;
  }
  return total;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
