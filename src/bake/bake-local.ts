// Bakes a spec's `local` target: sources checked, base disk ready, Packer's QEMU builder run
// on it, the disk plus the guest's own kernel and initrd collected and checksummed.
import { rename, rm, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedSpec } from '../spec/types.js';
import type { BuildManifest } from '../manifest-types.js';
import { BakeError } from '../errors.js';
import { sha256File } from '../util/fs.js';
import { info } from '../log.js';
import { detectPacker } from '../render/packer-version.js';
import { renderBuild } from '../render/render.js';
import { detectAccelerator } from '../local/accel.js';
import { ensureBase, defaultRecipe } from '../local/base.js';
import { createBuildKey } from '../local/keys.js';
import { runBuild, type BakeResult, type BuildFrame } from './build-run.js';
import { runPackerBuild, requireArtifact } from './packer-run.js';
import { stageSources, type SourceOptions } from './sources.js';
import { throwIfAborted } from './interrupts.js';
import { sourcesFor } from './target-sources.js';
import { packagesMissingOffline } from './offline-check.js';
import { checkOfflineHost, prefetchPackages } from './offline-packages.js';
import type { StateStore } from '../state/store.js';

export type { BakeResult } from './build-run.js';

export interface BakeOptions extends SourceOptions {
  signal?: AbortSignal;
  state?: StateStore;
}

// The artifact names verification and publishing rely on.
export const LOCAL_ARTIFACTS = { disk: 'disk.qcow2', kernel: 'vmlinuz', initrd: 'initrd.img' } as const;

export async function bakeLocal(loaded: LoadedSpec, options: BakeOptions = {}): Promise<BakeResult> {
  const local = loaded.spec.targets.local;
  if (!local) {
    throw new BakeError(`${loaded.name} declares no local target`, {
      hint: `bake it on AWS: make image NAME=${loaded.name} TARGET=aws`,
    });
  }
  // Packages an offline guest lacks are fetched on the host, which must then run its release.
  const offlineNeeds = options.offline ? packagesMissingOffline(loaded, defaultRecipe(local.release)) : [];
  if (offlineNeeds.length > 0) checkOfflineHost(local.release);
  const localSpec = withLocalSources(loaded);
  return runBuild(loaded, 'local', options, async (frame) => {
    const keyDir = path.join(frame.dir, 'key');
    try {
      await bakeInFrame(localSpec, local, frame, keyDir, { ...options, offlineNeeds });
    } finally {
      await rm(keyDir, { recursive: true, force: true });
    }
  });
}

// The spec as the local bake sees it: without sources only other targets' steps use (the
// wafflegrid tarballs feed aws-only compiles and have no checksum that could ever pass).
function withLocalSources(loaded: LoadedSpec): LoadedSpec {
  const { used, skipped } = sourcesFor(loaded.spec, 'local');
  for (const { source, targets } of skipped) {
    info(`source ${source.name}: not needed (only ${targets.join(', ')} steps use it)`);
  }
  if (skipped.length === 0) return loaded;
  return { ...loaded, spec: { ...loaded.spec, sources: used } };
}

async function bakeInFrame(
  loaded: LoadedSpec,
  local: NonNullable<LoadedSpec['spec']['targets']['local']>,
  { dir, manifest, phases, buildId }: BuildFrame,
  keyDir: string,
  options: BakeOptions & { offlineNeeds: string[] },
): Promise<void> {
  const sourcesDir = path.join(dir, 'sources');
  await phases.run('sources', () => stageSources(loaded.spec.sources ?? [], sourcesDir, options));
  throwIfAborted(options.signal, 'sources');

  const [packer, accel] = await Promise.all([detectPacker(), detectAccelerator()]);
  manifest.packer_version = packer.version;
  manifest.accelerator = accel.accelerator;
  info(`accelerator: ${accel.accelerator} (${accel.reason})`);

  const base = await phases.run('base', () => ensureBase(defaultRecipe(local.release)));
  manifest.base = { recipe_hash: base.recipeHash, sha256: base.sha256 };
  throwIfAborted(options.signal, 'base');

  const debsDir = path.join(dir, 'debs');
  if (options.offlineNeeds.length > 0) {
    await phases.run('packages', () => prefetchPackages(base.qcow2, local.release, options.offlineNeeds, debsDir));
    throwIfAborted(options.signal, 'packages');
  }

  const key = await createBuildKey(keyDir);
  const outputDir = path.join(dir, 'packer-output');
  const kernelOutDir = path.join(dir, 'boot');
  const rendered = await phases.run('render', () =>
    renderBuild(loaded, {
      target: 'local',
      packer,
      buildId,
      outDir: path.join(dir, 'packer'),
      offline: options.offline,
      sourcesDir: loaded.spec.sources?.length ? sourcesDir : undefined,
      local: {
        baseQcow2: base.qcow2,
        baseSha256: base.sha256,
        kernel: base.kernel,
        initrd: base.initrd,
        accelerator: accel.accelerator,
        sshPrivateKeyFile: key.privateKeyFile,
        sshPublicKey: key.publicKey,
        sshUser: local.ssh_user ?? base.user,
        outputDir,
        serialLog: path.join(dir, 'serial.log'),
        memory: local.memory,
        cpus: local.cpus,
        kernelOutDir,
        offlinePackagesDir: options.offlineNeeds.length > 0 ? debsDir : undefined,
      },
    }),
  );
  manifest.template_hash = rendered.templateHash;

  const logFile = path.join(dir, 'packer.log');
  const result = await phases.run('packer', () =>
    runPackerBuild({ dir: rendered.dir, logFile, signal: options.signal }),
  );
  requireArtifact(result, logFile);

  await phases.run('collect', () => collectArtifacts(manifest, dir, outputDir, kernelOutDir));
  await rm(debsDir, { recursive: true, force: true });
  info(`baked ${loaded.name}: ${path.join(dir, LOCAL_ARTIFACTS.disk)}`);
}

// Moves Packer's disk and the fetched kernel/initrd to their fixed names and checksums them.
async function collectArtifacts(manifest: BuildManifest, dir: string, outputDir: string, kernelOutDir: string) {
  const disks = (await readdir(outputDir)).filter((f) => !f.endsWith('.log'));
  if (disks.length !== 1) throw new BakeError(`expected one disk in ${outputDir}, found: ${disks.join(', ') || 'none'}`);
  await rename(path.join(outputDir, disks[0]), path.join(dir, LOCAL_ARTIFACTS.disk));
  await rm(outputDir, { recursive: true, force: true });
  for (const name of [LOCAL_ARTIFACTS.kernel, LOCAL_ARTIFACTS.initrd]) {
    const fetched = path.join(kernelOutDir, name);
    if (!(await stat(fetched).catch(() => undefined))) {
      throw new BakeError(`the guest's ${name} was not fetched back into ${kernelOutDir}`);
    }
    await rename(fetched, path.join(dir, name));
  }
  await rm(kernelOutDir, { recursive: true, force: true });
  for (const name of Object.values(LOCAL_ARTIFACTS)) {
    const file = path.join(dir, name);
    manifest.artifacts.push({ file: name, sha256: await sha256File(file), bytes: (await stat(file)).size });
  }
}
