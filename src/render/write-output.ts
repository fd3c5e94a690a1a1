// Writes a render's files atomically and removes files an earlier render left in the same
// generated folders (scripts/, files/), so the directory holds exactly one render. One render
// writes a directory at a time (a lock beside the files); a write that fails is a RenderError.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { acquireLock, LockHeldError, type Lock } from '../util/lock.js';

export interface OutputFile {
  /** Relative to the output directory, with forward slashes. */
  path: string;
  content: string;
  mode: number;
}

const GENERATED_DIRS = ['scripts', 'files'];
/** Lock file in the output directory while a render writes it; never listed as output. */
export const RENDER_LOCK = '.render.lock';
// Renders take well under a second; a holder older than this is stuck, and the error names it.
const LOCK_WAIT_MS = 30_000;

async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  for (const sub of GENERATED_DIRS) {
    const entries = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const entry of entries) {
      const rel = `${sub}/${entry}`;
      if (!keep.has(rel)) await rm(path.join(dir, sub, entry), { recursive: true, force: true });
    }
  }
}

const REASONS: Record<string, string> = {
  // Node's recursive mkdir reports a read-only parent as ENOENT.
  ENOENT: 'a directory on the way cannot be created (read-only?)',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'a directory is in the way',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** A failed write as a RenderError that names the path, the reason and how to fix it. */
export function writeFailure(target: string, dir: string, error: unknown): RenderError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
  const hint = code === 'ENOSPC' || code === 'EDQUOT'
    ? 'free some space, or point AMIBAKE_BUILD_DIR elsewhere'
    : `make ${dir} writable, or point AMIBAKE_BUILD_DIR at a writable directory`;
  return new RenderError(`cannot write ${target}: ${reason}${code ? ` (${code})` : ''}`, {
    hint,
    cause: error,
  });
}

async function takeLock(dir: string): Promise<Lock> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw writeFailure(dir, dir, error);
  }
  try {
    return await acquireLock(path.join(dir, RENDER_LOCK), `a render into ${dir}`, {
      waitMs: LOCK_WAIT_MS,
      pollMs: 50,
    });
  } catch (error) {
    if (error instanceof LockHeldError) {
      throw new RenderError(error.message, { hint: 'wait for it to end, or stop it' });
    }
    throw writeFailure(path.join(dir, RENDER_LOCK), dir, error);
  }
}

export async function writeOutput(dir: string, files: OutputFile[]): Promise<string[]> {
  const lock = await takeLock(dir);
  try {
    for (const f of files) {
      const target = path.join(dir, f.path);
      await writeFileAtomic(target, f.content, f.mode).catch((error: unknown) => {
        throw writeFailure(target, dir, error);
      });
    }
    const written = files.map((f) => f.path).sort();
    await removeStale(dir, new Set(written));
    return written;
  } finally {
    await lock.release();
  }
}
