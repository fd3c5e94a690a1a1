// Fetches a spec's sources on the host into a cache, keyed and checked by sha256, before any
// VM starts; a mirror directory (files by name) serves them offline and in tests.
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type { Source } from '../spec/types.js';
import { sourceCacheDir } from '../paths.js';
import { sha256File } from '../util/fs.js';
import { BakeError } from '../errors.js';
import { archiveCachePath, archiveMember, extractMember } from './archive-source.js';
import { info } from '../log.js';

export interface SourceOptions {
  /** Directories holding source files by name; tried before the URL. */
  mirrors?: string[];
  /** Never use the network. */
  offline?: boolean;
}

export function mirrorsFromEnv(): string[] {
  return (process.env.AMIBAKE_SOURCE_MIRROR ?? '').split(':').filter((d) => d !== '');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

function cachedPath(source: Source): string {
  return path.join(sourceCacheDir(), source.sha256, source.name);
}

async function checkedCopy(from: string, to: string, source: Source, origin: string): Promise<void> {
  const actual = await sha256File(from);
  if (actual !== source.sha256) {
    throw new BakeError(
      `source ${source.name}: sha256 mismatch from ${origin}: expected ${source.sha256}, got ${actual}`,
      { hint: 'the file changed upstream or the spec pins the wrong checksum; nothing was baked' },
    );
  }
  await mkdir(path.dirname(to), { recursive: true });
  const temp = `${to}.${process.pid}.partial`;
  await copyFile(from, temp);
  await rename(temp, to);
}

async function fetchTo(url: string, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.download`;
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(600_000) });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

// Downloads the file (or the archive holding it, once) and keeps it only if its sha256 matches.
async function download(source: Source, to: string): Promise<void> {
  const temp = `${to}.${process.pid}.download`;
  await mkdir(path.dirname(to), { recursive: true });
  const inArchive = archiveMember(source.url);
  try {
    if (inArchive) {
      const archive = archiveCachePath(inArchive.archiveUrl);
      if (!(await exists(archive))) await fetchTo(inArchive.archiveUrl, archive);
      await extractMember(archive, inArchive.member, temp);
    } else {
      await fetchTo(source.url, temp);
    }
    await checkedCopy(temp, to, source, source.url);
  } catch (error) {
    if (error instanceof BakeError) throw error;
    const note = source.availability_note ? ` (${source.availability_note})` : '';
    throw new BakeError(`source ${source.name}: download of ${source.url} failed: ${(error as Error).message}${note}`, {
      hint: 'put the file in a mirror directory and set AMIBAKE_SOURCE_MIRROR (or --source-mirror)',
    });
  } finally {
    await rm(temp, { force: true });
  }
}

// Makes one source present and verified in the cache; returns its cached path.
export async function fetchSource(source: Source, options: SourceOptions = {}): Promise<string> {
  const cached = cachedPath(source);
  if (await exists(cached)) return cached;
  for (const mirror of options.mirrors ?? []) {
    const candidate = path.join(mirror, source.name);
    if (!(await exists(candidate))) continue;
    await checkedCopy(candidate, cached, source, candidate);
    info(`source ${source.name}: verified from mirror ${mirror}`);
    return cached;
  }
  if (options.offline) {
    throw new BakeError(`source ${source.name}: not in the cache or any mirror, and --offline forbids downloading ${source.url}`);
  }
  info(`source ${source.name}: downloading ${source.url}`);
  await download(source, cached);
  return cached;
}

// Fetches every source and lays them out by name in `dir` for upload to the guest.
export async function stageSources(sources: Source[], dir: string, options: SourceOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const staged: string[] = [];
  for (const source of sources) {
    const cached = await fetchSource(source, options);
    const target = path.join(dir, source.name);
    await rm(target, { force: true });
    await link(cached, target).catch(() => copyFile(cached, target));
    staged.push(target);
  }
  return staged;
}
