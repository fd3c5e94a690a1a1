// The build state store: every build's manifest plus a per-image index, kept in a local
// directory or in S3. openStateStore picks the backend from a URI.
import path from 'node:path';
import { buildRoot } from '../paths.js';
import type { BuildManifest } from '../manifest-types.js';
import type { StateIndex } from './state-index.js';
import type { StateLock } from './lock.js';
import { BlobStateStore } from './blob-state-store.js';
import { LocalBlobStore } from './local-blobs.js';
import { parseStateUri } from './uri.js';

export interface StateStore {
  /** A directory or s3://bucket/prefix, for messages. */
  readonly location: string;
  /** Creates or replaces one build's manifest and its index entry. */
  put(manifest: BuildManifest): Promise<void>;
  /**
   * Read-modify-write of one build's manifest; `change` may run more than once (on a lost race)
   * and must derive its result from its argument, so no concurrent update is lost.
   */
  update(
    image: string,
    buildId: string,
    change: (current: BuildManifest | undefined) => BuildManifest,
  ): Promise<BuildManifest>;
  get(image: string, buildId: string): Promise<BuildManifest | undefined>;
  /** Every build of an image, oldest first (by started_at, then build id). */
  list(image: string): Promise<BuildManifest[]>;
  /** Names of the images that have any state. */
  images(): Promise<string[]>;
  /** The image's index (empty when it was never built). */
  index(image: string): Promise<StateIndex>;
  /** A lock named `name` held in this store; throws StateError naming the holder. */
  lock(name: string, purpose: string): Promise<StateLock>;
}

export function defaultStateUri(): string {
  return process.env.AMIBAKE_STATE || path.join(buildRoot(), 'state');
}

/** `uri`: a directory, file://DIR or s3://bucket/prefix; default $AMIBAKE_STATE or build/state. */
export async function openStateStore(uri?: string): Promise<StateStore> {
  const target = parseStateUri(uri || defaultStateUri());
  if (target.kind === 'local') return new BlobStateStore(new LocalBlobStore(target.dir));
  const { S3BlobStore } = await import('./s3-blobs.js');
  return new BlobStateStore(new S3BlobStore(target.bucket, target.prefix, target.region));
}

export type { StateIndex, IndexEntry } from './state-index.js';
export type { StateLock, LockHolder } from './lock.js';
