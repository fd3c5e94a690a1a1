// Build ids and the manifest file of each build: build/<image>/<target>/builds/<id>/manifest.json.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildManifest } from '../manifest-types.js';
import type { TargetName } from '../spec/types.js';
import { buildDir } from '../paths.js';
import { writeFileAtomic } from '../util/fs.js';
import { BakeError } from '../errors.js';

export const TOOL_VERSION = '0.1.0';

// Sortable by time, unique per build: 20261204t155300-ab12cd.
export function newBuildId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').toLowerCase();
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function buildsDir(image: string, target: TargetName): string {
  return path.join(buildDir(image, target), 'builds');
}

export function buildPath(image: string, target: TargetName, buildId: string): string {
  return path.join(buildsDir(image, target), buildId);
}

export function manifestPath(image: string, target: TargetName, buildId: string): string {
  return path.join(buildPath(image, target, buildId), 'manifest.json');
}

export async function writeManifest(file: string, manifest: BuildManifest): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(file: string): Promise<BuildManifest> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BuildManifest;
  } catch (error) {
    throw new BakeError(`cannot read manifest ${file}: ${(error as Error).message}`);
  }
}

export async function listBuildIds(image: string, target: TargetName): Promise<string[]> {
  try {
    return (await readdir(buildsDir(image, target))).filter((n) => /^\d{8}t\d{6}-[0-9a-f]{6}$/.test(n)).sort();
  } catch {
    return [];
  }
}

// The manifest of a given build, or of the newest one.
export async function findManifest(image: string, target: TargetName, buildId?: string): Promise<string> {
  const ids = await listBuildIds(image, target);
  if (ids.length === 0) {
    const what = buildId ? `build ${buildId} (nor any other)` : 'build';
    throw new BakeError(`no ${what} of ${image} for target ${target} yet`, {
      hint: `bake it first: amibake bake ${image} --target ${target}`,
    });
  }
  const id = buildId ?? (ids.at(-1) as string);
  if (!ids.includes(id)) {
    const shown = ids.length > 5 ? ['...', ...ids.slice(-5)] : ids;
    const known = `builds: ${shown.join(', ')}`;
    throw new BakeError(`no build ${id} of ${image} for target ${target} (${known})`, {
      hint: `list them with: amibake builds ${image}`,
    });
  }
  return manifestPath(image, target, id);
}

// Applies a change to the manifest and writes it at once, so a crash never loses a phase.
export async function updateManifest(
  file: string,
  change: (m: BuildManifest) => void,
): Promise<BuildManifest> {
  const manifest = await readManifest(file);
  change(manifest);
  await writeManifest(file, manifest);
  return manifest;
}
