// Copies a build's manifest into the state store, so `builds`, `outdated` and `rebuild` see
// every bake, verification and publish wherever the state lives.
import type { BuildManifest } from '../manifest-types.js';
import { openStateStore, type StateStore } from '../state/store.js';
import { warn } from '../log.js';

// A store that cannot be written never undoes the build: the manifest file stays authoritative.
export async function recordState(manifest: BuildManifest, state?: StateStore): Promise<void> {
  try {
    const store = state ?? (await openStateStore());
    await store.put(manifest);
  } catch (error) {
    warn(`could not record build ${manifest.build_id} in the state store: ${(error as Error).message}`);
  }
}

// Sets only the verification on the stored build, so a verify run beside another writer (a
// publish recording its AMIs) loses nothing; a build the store never saw is stored whole.
export async function recordVerification(
  manifest: BuildManifest,
  state?: StateStore,
): Promise<void> {
  const { verification } = manifest;
  try {
    const store = state ?? (await openStateStore());
    await store.update(manifest.image, manifest.build_id, (current) =>
      current ? { ...current, verification } : manifest,
    );
  } catch (error) {
    warn(`could not record the verification of ${manifest.build_id} in the state store: ` +
      (error as Error).message);
  }
}
