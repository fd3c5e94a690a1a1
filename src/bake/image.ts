// The main job: bake an image, prove it by booting it, and publish it only when asked and
// only once it is proven. `make image NAME=x` runs this.
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { BuildManifest } from '../manifest-types.js';
import { UsageError, VerifyError } from '../errors.js';
import { info, warn } from '../log.js';
import { verifyBuild } from '../verify/verify.js';
import { formatResults } from '../verify/format.js';
import { publishBuild } from '../aws/publish.js';
import { bakeLocal, type BakeResult } from './bake-local.js';
import { bakeAws, type AwsBakeOptions } from './bake-aws.js';
import { recordState } from './record-state.js';

export function targetOption(value: string | undefined): TargetName {
  if (value === 'local' || value === 'aws') return value;
  throw new UsageError(`unknown target "${value}": use local or aws`);
}

export type BakeTargetOptions = AwsBakeOptions;

export function bakeTarget(loaded: LoadedSpec, target: TargetName, options: BakeTargetOptions = {}): Promise<BakeResult> {
  return target === 'local' ? bakeLocal(loaded, options) : bakeAws(loaded, options);
}

export interface ImageOptions extends BakeTargetOptions {
  publish?: boolean;
  sshCidr?: string;
  assumeUnblocked?: boolean;
}

// Bakes, verifies (failing when any smoke test fails) and optionally publishes.
export async function runImage(loaded: LoadedSpec, target: TargetName, options: ImageOptions = {}): Promise<BuildManifest> {
  if (options.publish && target !== 'aws') throw new UsageError('publishing needs TARGET=aws: local images are not published');
  const baked = await bakeTarget(loaded, target, options);

  info(`==> verify`);
  const outcome = await verifyBuild({
    loaded,
    target,
    manifestFile: baked.manifestFile,
    signal: options.signal,
    sshCidr: options.sshCidr,
    sshHost: options.sshHost,
    sshPort: options.sshPort ? Number(options.sshPort) : undefined,
    state: options.state,
  });
  process.stderr.write(`${formatResults(outcome.verification.results)}\n`);
  for (const finding of outcome.verification.audit) {
    warn(`share-safety: ${finding.kind} at ${finding.path}: ${finding.detail}`);
  }
  if (outcome.verification.status !== 'passed') {
    const failed = outcome.verification.results.filter((r) => !r.passed).map((r) => r.name);
    throw new VerifyError(`${loaded.name} build ${baked.manifest.build_id} failed verification: ${failed.join(', ')}`, {
      hint: `details: ${baked.manifestFile}`,
    });
  }
  info(`verified ${loaded.name} build ${baked.manifest.build_id}`);
  if (!options.publish) return outcome.manifest;

  const publish = loaded.spec.publish;
  if (!publish) throw new UsageError(`${loaded.name} has no publish section`);
  const published = await publishBuild({
    image: loaded.name,
    manifestFile: baked.manifestFile,
    publish,
    assumeUnblocked: options.assumeUnblocked,
    signal: options.signal,
  });
  info(`published ${loaded.name}: ${JSON.stringify(published.record.amis)}`);
  const manifest = { ...outcome.manifest, publish: published.record };
  await recordState(manifest, options.state);
  return manifest;
}

