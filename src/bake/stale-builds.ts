// Builds left "running" by a bake that died without a word (kill -9, power loss). Only called
// under the image's bake lock, so no build of that image and target can still be running: each
// is marked interrupted and its build key, which only the finished bake would have removed,
// is deleted.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BuildManifest } from '../manifest-types.js';
import type { TargetName } from '../spec/types.js';
import { warn } from '../log.js';
import { buildPath, listBuildIds, manifestPath, readManifest, writeManifest } from './manifest.js';

export async function settleDeadBuilds(
  image: string,
  target: TargetName,
  foundBy: string,
): Promise<BuildManifest[]> {
  const settled: BuildManifest[] = [];
  for (const id of await listBuildIds(image, target)) {
    const file = manifestPath(image, target, id);
    const manifest = await readManifest(file).catch(() => undefined);
    if (manifest?.status !== 'running') continue;
    try {
      await rm(path.join(buildPath(image, target, id), 'key'), { recursive: true, force: true });
      manifest.status = 'interrupted';
      manifest.reason = `its bake ended without recording how (killed?); found by build ${foundBy}`;
      await writeManifest(file, manifest);
      warn(`build ${id} of ${image} (${target}) was left running by a dead bake: now interrupted`);
      settled.push(manifest);
    } catch (error) {
      // Tidying an old build must never stop a new one.
      warn(`could not settle dead build ${id}: ${(error as Error).message}`);
    }
  }
  return settled;
}
