// Packages for an offline local bake, fetched on the host: apt resolves the spec's packages
// against the base disk's own dpkg status and downloads the .deb files the guest lacks, so a
// guest with no network installs them from an upload. Known limit: the host must run the same
// Debian release as the base (its apt and keyring do the work), which the check below says.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BakeError } from '../errors.js';
import { info } from '../log.js';
import { aptSources } from '../local/base-build.js';
import { debugfsPath, rawImage } from '../verify/disk-mirror.js';

const run = promisify(execFile);

export function hostRelease(osRelease = '/etc/os-release'): string | undefined {
  try {
    return /^VERSION_CODENAME=(\S+)$/m.exec(readFileSync(osRelease, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

// Refused before any work when this host cannot fetch packages for the base's release.
export function checkOfflineHost(release: string, host = hostRelease()): void {
  if (host === release) return;
  throw new BakeError(
    `--offline: packages for a ${release} guest are fetched with this host's apt, but the host ` +
      `runs ${host ?? 'an unknown release'}`,
    { hint: `bake offline on a Debian ${release} host, or bake without --offline` },
  );
}

async function baseDpkgStatus(qcow2: string, workDir: string): Promise<string> {
  const raw = await rawImage(qcow2, workDir);
  const status = path.join(workDir, 'status');
  await run(debugfsPath(), ['-R', `dump /var/lib/dpkg/status ${status}`, raw]);
  await rm(path.join(workDir, 'disk.raw'), { force: true });
  return status;
}

function aptOptions(work: string, status: string, archives: string): string[] {
  return [
    `-o Dir::Etc::SourceList=${path.join(work, 'sources.list')}`,
    `-o Dir::Etc::SourceParts=${path.join(work, 'sources.list.d')}`,
    `-o Dir::State=${path.join(work, 'state')}`,
    `-o Dir::State::status=${status}`,
    `-o Dir::Cache=${path.join(work, 'cache')}`,
    `-o Dir::Cache::archives=${archives}`,
    '-o Debug::NoLocking=1',
  ].flatMap((option) => option.split(/ (.*)/s, 2));
}

// Downloads into `dir` every .deb the packages need beyond the base; returns their count.
export async function prefetchPackages(baseQcow2: string, release: string, packages: string[], dir: string) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'amibake-debs-'));
  try {
    for (const sub of ['sources.list.d', 'state/lists/partial', 'cache']) await mkdir(path.join(work, sub), { recursive: true });
    await mkdir(path.join(dir, 'partial'), { recursive: true });
    await writeFile(path.join(work, 'sources.list'), `${aptSources(release).join('\n')}\n`);
    const status = await baseDpkgStatus(baseQcow2, work);
    const options = aptOptions(work, status, dir);
    const apt = (args: string[]) => run('apt-get', [...options, ...args], { maxBuffer: 64 * 1024 * 1024 });
    await apt(['-q', 'update']);
    await apt(['-q', '-y', '--download-only', 'install', ...packages]);
    await rm(path.join(dir, 'partial'), { recursive: true, force: true });
    const debs = (await readdir(dir)).filter((f) => f.endsWith('.deb'));
    info(`offline: ${debs.length} packages fetched on the host for the guest`);
    return debs.length;
  } catch (error) {
    if (error instanceof BakeError) throw error;
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').at(-1);
    throw new BakeError(`--offline: fetching packages on the host failed: ${detail}`, {
      hint: 'the host needs network to Debian\'s mirror for this step; the guest does not',
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
