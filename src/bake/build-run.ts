// The frame every bake runs in: one bake per image and target at a time, a manifest written
// from the first second, and a final status (succeeded, failed or interrupted) always recorded.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { BuildManifest } from '../manifest-types.js';
import { BakeError, InterruptedError } from '../errors.js';
import { buildDir } from '../paths.js';
import { acquireLock, LockHeldError, type Lock } from '../util/lock.js';
import { info } from '../log.js';
import { buildPath, manifestPath, newBuildId, TOOL_VERSION, writeManifest } from './manifest.js';
import { PhaseRecorder } from './phases.js';
import { recordState } from './record-state.js';
import { settleDeadBuilds } from './stale-builds.js';
import type { StateStore } from '../state/store.js';

export interface BuildFrame {
  buildId: string;
  dir: string;
  manifest: BuildManifest;
  manifestFile: string;
  phases: PhaseRecorder;
}

export interface BakeResult {
  manifest: BuildManifest;
  manifestFile: string;
  dir: string;
}

async function takeBakeLock(image: string, target: TargetName): Promise<Lock> {
  try {
    return await acquireLock(path.join(buildDir(image, target), 'bake.lock'), `a bake of ${image} (${target})`);
  } catch (error) {
    if (error instanceof LockHeldError) throw new BakeError(error.message, { hint: 'wait for it to end, or stop it' });
    throw error;
  }
}

function startManifest(loaded: LoadedSpec, target: TargetName, buildId: string): BuildManifest {
  return {
    schema: 1,
    build_id: buildId,
    image: loaded.name,
    target,
    status: 'running',
    started_at: new Date().toISOString(),
    spec_hash: loaded.hash,
    base: {},
    phases: {},
    artifacts: [],
    tool_version: TOOL_VERSION,
  };
}

export async function runBuild(
  loaded: LoadedSpec,
  target: TargetName,
  options: { signal?: AbortSignal; state?: StateStore },
  body: (frame: BuildFrame) => Promise<void>,
): Promise<BakeResult> {
  const { signal } = options;
  const lock = await takeBakeLock(loaded.name, target);
  const buildId = newBuildId();
  const dir = buildPath(loaded.name, target, buildId);
  const manifestFile = manifestPath(loaded.name, target, buildId);
  const manifest = startManifest(loaded, target, buildId);
  const frame: BuildFrame = { buildId, dir, manifest, manifestFile, phases: new PhaseRecorder(manifestFile, manifest) };

  try {
    for (const dead of await settleDeadBuilds(loaded.name, target, buildId)) {
      await recordState(dead, options.state);
    }
    await mkdir(dir, { recursive: true });
    await writeManifest(manifestFile, manifest);
    info(`build ${buildId} of ${loaded.name} (${target}) in ${dir}`);
    await body(frame);
    manifest.status = 'succeeded';
    return { manifest, manifestFile, dir };
  } catch (error) {
    const interrupted = error instanceof InterruptedError || signal?.aborted === true;
    manifest.status = interrupted ? 'interrupted' : 'failed';
    manifest.reason = error instanceof Error ? error.message : String(error);
    if (interrupted && !(error instanceof InterruptedError)) {
      throw new InterruptedError(`bake of ${loaded.name} interrupted: ${manifest.reason}`);
    }
    throw error;
  } finally {
    manifest.finished_at = new Date().toISOString();
    await writeManifest(manifestFile, manifest);
    await recordState(manifest, options.state);
    await lock.release();
  }
}
