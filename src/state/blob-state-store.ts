// StateStore over any BlobStore. Layout: images/<image>/builds/<id>.json (one key per build)
// and images/<image>/index.json (shared by every build of the image); both updated by CAS.
// Known limit: a crash between a manifest write and its index write leaves that build out of
// the index until it is put again; list() reads the manifests themselves and still sees it.
import type { BuildManifest } from '../manifest-types.js';
import { StateError } from '../errors.js';
import type { BlobStore } from './blobs.js';
import { checkKeySegment } from './blobs.js';
import { casUpdate, parseJson } from './cas.js';
import { acquireLock, type StateLock } from './lock.js';
import { byStart, emptyIndex, summarize, type StateIndex } from './state-index.js';
import type { StateStore } from './store.js';

function manifestKey(image: string, buildId: string): string {
  const id = checkKeySegment(buildId, 'build id');
  return `images/${checkKeySegment(image, 'image')}/builds/${id}.json`;
}

function indexKey(image: string): string {
  return `images/${checkKeySegment(image, 'image')}/index.json`;
}

function checkManifest(manifest: BuildManifest, image: string, buildId: string): BuildManifest {
  if (manifest.image !== image || manifest.build_id !== buildId) {
    throw new StateError(
      `manifest for ${manifest.image}/${manifest.build_id} cannot be stored as ${image}/${buildId}`,
    );
  }
  return manifest;
}

export class BlobStateStore implements StateStore {
  constructor(private readonly blobs: BlobStore) {}

  get location(): string {
    return this.blobs.location;
  }

  async put(manifest: BuildManifest): Promise<void> {
    await this.update(manifest.image, manifest.build_id, () => manifest);
  }

  async update(
    image: string,
    buildId: string,
    change: (current: BuildManifest | undefined) => BuildManifest,
  ): Promise<BuildManifest> {
    const key = manifestKey(image, buildId);
    const stored = await casUpdate<BuildManifest>(this.blobs, key, (current) =>
      checkManifest(change(current), image, buildId),
    );
    await this.refreshIndexEntry(image, buildId);
    return stored;
  }

  // The entry is copied from the manifest as read inside the CAS loop, after the index read: so
  // whichever index write lands last saw the last manifest write, and the two never disagree.
  private async refreshIndexEntry(image: string, buildId: string): Promise<void> {
    await casUpdate<StateIndex>(this.blobs, indexKey(image), async (current) => {
      const latest = await this.get(image, buildId);
      if (!latest) {
        const where = this.blobs.describe(manifestKey(image, buildId));
        throw new StateError(`${where} vanished while its index entry was written`);
      }
      const index = current ?? emptyIndex(image);
      return {
        ...index,
        updated_at: new Date().toISOString(),
        builds: { ...index.builds, [buildId]: summarize(latest) },
      };
    });
  }

  async get(image: string, buildId: string): Promise<BuildManifest | undefined> {
    const key = manifestKey(image, buildId);
    const blob = await this.blobs.read(key);
    return blob ? parseJson<BuildManifest>(this.blobs, key, blob.body) : undefined;
  }

  async list(image: string): Promise<BuildManifest[]> {
    const prefix = `images/${checkKeySegment(image, 'image')}/builds/`;
    const keys = (await this.blobs.list(prefix)).filter((k) => k.endsWith('.json'));
    const manifests = await Promise.all(
      keys.map(async (key) => {
        const blob = await this.blobs.read(key);
        return blob ? parseJson<BuildManifest>(this.blobs, key, blob.body) : undefined;
      }),
    );
    return manifests.filter((m): m is BuildManifest => m !== undefined).sort(byStart);
  }

  async images(): Promise<string[]> {
    return this.blobs.children('images/');
  }

  async index(image: string): Promise<StateIndex> {
    const key = indexKey(image);
    const blob = await this.blobs.read(key);
    return blob ? parseJson<StateIndex>(this.blobs, key, blob.body) : emptyIndex(image);
  }

  lock(name: string, purpose: string): Promise<StateLock> {
    return acquireLock(this.blobs, name, purpose);
  }
}
