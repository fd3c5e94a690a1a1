// The per-image index: one small JSON summary of every build, so "what was built last" is one
// read instead of one per manifest.
import type { BuildManifest, BuildStatus } from '../manifest-types.js';
import type { TargetName } from '../spec/types.js';

export interface IndexEntry {
  build_id: string;
  target: TargetName;
  status: BuildStatus;
  started_at: string;
  finished_at?: string;
  spec_hash: string;
}

export interface StateIndex {
  schema: 1;
  image: string;
  updated_at: string;
  builds: Record<string, IndexEntry>;
}

export function emptyIndex(image: string): StateIndex {
  return { schema: 1, image, updated_at: new Date(0).toISOString(), builds: {} };
}

export function summarize(manifest: BuildManifest): IndexEntry {
  const entry: IndexEntry = {
    build_id: manifest.build_id,
    target: manifest.target,
    status: manifest.status,
    started_at: manifest.started_at,
    spec_hash: manifest.spec_hash,
  };
  if (manifest.finished_at) entry.finished_at = manifest.finished_at;
  return entry;
}

// Oldest first; the build id breaks ties so the order never depends on the reader.
export function byStart(a: { started_at: string; build_id: string }, b: typeof a): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? -1 : 1;
  return a.build_id < b.build_id ? -1 : a.build_id > b.build_id ? 1 : 0;
}

export function entriesFor(index: StateIndex, target?: TargetName): IndexEntry[] {
  return Object.values(index.builds)
    .filter((e) => target === undefined || e.target === target)
    .sort(byStart);
}

/** The newest build of a target that has ended (succeeded, failed or interrupted). */
export function latestFinished(index: StateIndex, target: TargetName): IndexEntry | undefined {
  return entriesFor(index, target).filter((e) => e.status !== 'running').at(-1);
}

export function latestSucceeded(index: StateIndex, target: TargetName): IndexEntry | undefined {
  return entriesFor(index, target).filter((e) => e.status === 'succeeded').at(-1);
}
