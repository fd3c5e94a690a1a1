// Where publish finds and records a build's manifest; one small seam over the bake area's
// manifest module so the lookup can change without touching publish.
import { findManifest, readManifest, updateManifest } from '../bake/manifest.js';
import type { BuildManifest, PublishRecord } from '../manifest-types.js';

/** build/<image>/aws/builds/<buildId>/manifest.json, the newest build when no id is given. */
export function findAwsManifest(image: string, buildId?: string): Promise<string> {
  return findManifest(image, 'aws', buildId);
}

export function loadManifest(file: string): Promise<BuildManifest> {
  return readManifest(file);
}

export async function recordPublish(file: string, record: PublishRecord): Promise<void> {
  await updateManifest(file, (manifest) => {
    manifest.publish = record;
  });
}
