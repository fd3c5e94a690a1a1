// `rebuild --stale`: under one lock per image, finds what is stale and bakes only that, one
// build at a time. Baking is injected (runImage) so tests can stand in for Packer.
import { AmibakeError, EXIT, InterruptedError } from '../errors.js';
import { info, warn } from '../log.js';
import type { BuildManifest } from '../manifest-types.js';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { StateLock, StateStore } from '../state/store.js';
import { checkOutdated, type OutdatedDeps, type OutdatedEntry } from './outdated.js';
import { describeReason } from './describe.js';
import { entriesFor } from '../state/state-index.js';

export interface RunImageOptions {
  name: string;
  target: TargetName;
  publish?: boolean;
  /** The store this run records builds in; runImage should write its manifests there too. */
  state?: StateStore;
  /** Aborted by SIGINT/SIGTERM: the bake stops its Packer and records itself interrupted. */
  signal?: AbortSignal;
}

/** Bakes, verifies and optionally publishes one image; throws on failure. */
export type RunImage = (options: RunImageOptions) => Promise<BuildManifest>;

export interface RebuildOptions extends OutdatedDeps {
  runImage: RunImage;
  publish: boolean;
  /** Once aborted, the image being rebuilt stops and no further image is started. */
  signal?: AbortSignal;
}

export interface RebuildOutcome {
  image: string;
  target: TargetName;
  result: 'rebuilt' | 'failed' | 'not_checked';
  build_id?: string;
  error?: string;
  exitCode?: number;
}

export interface RebuildReport {
  checked: OutdatedEntry[];
  outcomes: RebuildOutcome[];
}

export function lockName(image: string): string {
  return `rebuild-${image}`;
}

// All or nothing, in name order, so two runs over overlapping images cannot deadlock.
async function lockImages(store: StateStore, names: string[]): Promise<StateLock[]> {
  const held: StateLock[] = [];
  try {
    for (const name of [...names].sort()) {
      held.push(await store.lock(lockName(name), `amibake rebuild of ${name}`));
    }
    return held;
  } catch (error) {
    await releaseAll(held);
    throw error;
  }
}

async function releaseAll(locks: StateLock[]): Promise<void> {
  for (const lock of locks.reverse()) await lock.release();
}

// A failed bake may carry its manifest (error.manifest); record it so `outdated` sees it.
function manifestOf(error: unknown): BuildManifest | undefined {
  const candidate = (error as { manifest?: BuildManifest } | null)?.manifest;
  return candidate && typeof candidate.build_id === 'string' ? candidate : undefined;
}

// A failed bake that carries no manifest still recorded one: the newest build begun since.
async function buildBegunSince(
  store: StateStore,
  entry: OutdatedEntry,
  since: string,
): Promise<string | undefined> {
  const index = await store.index(entry.image).catch(() => undefined);
  if (!index) return undefined;
  return entriesFor(index, entry.target).filter((e) => e.started_at >= since).at(-1)?.build_id;
}

// Only AWS images with a publish section can be published; --publish means "where possible".
function shouldPublish(spec: LoadedSpec | undefined, target: TargetName, asked: boolean): boolean {
  return asked && target === 'aws' && spec?.spec.publish !== undefined;
}

async function rebuildOne(
  entry: OutdatedEntry,
  spec: LoadedSpec | undefined,
  options: RebuildOptions,
): Promise<RebuildOutcome> {
  const { image, target } = entry;
  info(`rebuilding ${image} (${target}): ${entry.reasons.map(describeReason).join('; ')}`);
  const since = new Date().toISOString();
  try {
    const manifest = await options.runImage({
      name: image,
      target,
      publish: shouldPublish(spec, target, options.publish),
      state: options.store,
      signal: options.signal,
    });
    await options.store.put(manifest);
    if (manifest.status !== 'succeeded') {
      const { build_id, reason } = manifest;
      return { image, target, result: 'failed', build_id, error: reason };
    }
    return { image, target, result: 'rebuilt', build_id: manifest.build_id };
  } catch (error) {
    const failed = manifestOf(error);
    if (failed) await options.store.put(failed);
    const message = error instanceof Error ? error.message : String(error);
    warn(`rebuild of ${image} (${target}) failed: ${message}`);
    const interrupted = error instanceof InterruptedError || options.signal?.aborted === true;
    const exitCode = interrupted
      ? EXIT.interrupted
      : error instanceof AmibakeError ? error.exitCode : EXIT.failed;
    const build_id = failed?.build_id ?? (await buildBegunSince(options.store, entry, since));
    return { image, target, result: 'failed', build_id, error: message, exitCode };
  }
}

/** Locks the specs' images, checks them, and bakes each stale pair; never bakes twice at once. */
export async function rebuildStale(
  specs: LoadedSpec[],
  options: RebuildOptions,
): Promise<RebuildReport> {
  const locks = await lockImages(options.store, specs.map((s) => s.name));
  try {
    const { entries } = await checkOutdated(specs, options);
    const outcomes: RebuildOutcome[] = [];
    for (const entry of entries) {
      if (entry.error) {
        const { image, target, error } = entry;
        outcomes.push({ image, target, result: 'not_checked', error });
      } else if (entry.stale) {
        if (options.signal?.aborted) break;
        const spec = specs.find((s) => s.name === entry.image);
        outcomes.push(await rebuildOne(entry, spec, options));
      }
    }
    return { checked: entries, outcomes };
  } finally {
    await releaseAll(locks);
  }
}
