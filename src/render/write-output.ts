// Writes a render's files atomically and removes files an earlier render left in the same
// generated folders (scripts/, files/), so the directory holds exactly one render.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/fs.js';

export interface OutputFile {
  /** Relative to the output directory, with forward slashes. */
  path: string;
  content: string;
  mode: number;
}

const GENERATED_DIRS = ['scripts', 'files'];

async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  for (const sub of GENERATED_DIRS) {
    const entries = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const entry of entries) {
      const rel = `${sub}/${entry}`;
      if (!keep.has(rel)) await rm(path.join(dir, sub, entry), { recursive: true, force: true });
    }
  }
}

export async function writeOutput(dir: string, files: OutputFile[]): Promise<string[]> {
  for (const f of files) await writeFileAtomic(path.join(dir, f.path), f.content, f.mode);
  const written = files.map((f) => f.path).sort();
  await removeStale(dir, new Set(written));
  return written;
}
