// Sources that live inside a tar archive: the URL's fragment names the member, as in
// https://host/sakila-db.tar.gz#sakila-db/sakila-schema.sql. The archive is downloaded once
// into the source cache; only the extracted member is checked (its sha256 is the spec's) and used.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../util/fs.js';
import { sourceCacheDir } from '../paths.js';

export interface ArchiveMember {
  archiveUrl: string;
  member: string;
}

const TAR_NAME = /\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2)$/;

export function archiveMember(url: string): ArchiveMember | undefined {
  const hash = url.indexOf('#');
  if (hash < 0) return undefined;
  const archiveUrl = url.slice(0, hash);
  const member = decodeURIComponent(url.slice(hash + 1));
  if (!TAR_NAME.test(new URL(archiveUrl).pathname) || member === '') return undefined;
  return { archiveUrl, member };
}

// Where a downloaded archive is kept, by its URL (its content is never used unchecked).
export function archiveCachePath(archiveUrl: string): string {
  return path.join(sourceCacheDir(), 'archives', sha256(archiveUrl), path.basename(new URL(archiveUrl).pathname));
}

// Writes one member of a tar archive (any compression GNU tar reads) to `to`.
export function extractMember(archive: string, member: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(to);
    const tar = spawn('tar', ['-xOf', archive, '--', member], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdout.pipe(out);
    tar.on('error', reject);
    tar.on('close', (code) => {
      out.close();
      if (code === 0) resolve();
      else reject(new Error(`no member ${member} in ${path.basename(archive)} (${stderr.trim().split('\n')[0] ?? `tar exit ${code}`})`));
    });
  });
}
