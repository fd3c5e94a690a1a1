// Bakes a spec's `aws` target with Packer's amazon-ebs builder after a preflight that fails in
// seconds (base AMI, instance type, AMI name, encryption), recording the AMI ids per region.
import path from 'node:path';
import type { LoadedSpec } from '../spec/types.js';
import { BakeError, PackerError } from '../errors.js';
import { info } from '../log.js';
import { detectPacker } from '../render/packer-version.js';
import { renderBuild } from '../render/render.js';
import { amiName } from '../render/ami-name.js';
import { endpointFor } from '../aws/clients.js';
import { runPreflight, assertPreflight, preflightInput } from '../aws/preflight.js';
import { runBuild, type BakeResult } from './build-run.js';
import { TOOL_VERSION } from './manifest.js';
import { runPackerBuild, requireArtifact } from './packer-run.js';
import { parseAmiIds } from './packer-stream.js';
import { stageSources, type SourceOptions } from './sources.js';
import { throwIfAborted } from './interrupts.js';
import type { StateStore } from '../state/store.js';

export interface AwsBakeOptions extends SourceOptions {
  signal?: AbortSignal;
  state?: StateStore;
  /** Render communicator "none": no provisioners (moto's instances cannot be reached). */
  noProvision?: boolean;
  region?: string;
  /** SSH endpoint override for the build instance (a local VM standing in for it). */
  sshHost?: string;
  sshPort?: string;
  sshUser?: string;
  sshPrivateKeyFile?: string;
  /** Bake from this AMI id instead of the spec's base lookup (still checked in preflight). */
  baseAmi?: string;
}

// The build region: explicit, else the standard AWS variables, else the spec's first region.
export function buildRegion(loaded: LoadedSpec, explicit?: string): string {
  return explicit || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || loaded.spec.publish?.regions[0] || 'us-east-1';
}

export async function bakeAws(loaded: LoadedSpec, options: AwsBakeOptions = {}): Promise<BakeResult> {
  if (!loaded.spec.targets.aws) {
    throw new BakeError(`${loaded.name} declares no aws target`, { hint: `bake it locally: make image NAME=${loaded.name}` });
  }
  const region = buildRegion(loaded, options.region);
  return runBuild(loaded, 'aws', options, async ({ dir, manifest, phases, buildId }) => {
    const packer = await detectPacker();
    manifest.packer_version = packer.version;
    const name = amiName(loaded.name, buildId);

    const input = { ...preflightInput(loaded, name, region), baseAmiOverride: options.baseAmi };
    const report = await phases.run('preflight', () => runPreflight(input));
    const base = assertPreflight(loaded.name, report);
    manifest.base = { ami: { [region]: base.imageId } };
    info(`base AMI in ${region}: ${base.imageId} (${base.name})`);
    throwIfAborted(options.signal, 'preflight');

    const withSources = !options.noProvision && (loaded.spec.sources?.length ?? 0) > 0;
    const sourcesDir = path.join(dir, 'sources');
    if (withSources) await phases.run('sources', () => stageSources(loaded.spec.sources ?? [], sourcesDir, options));

    const rendered = await phases.run('render', () =>
      renderBuild(loaded, {
        target: 'aws',
        packer,
        buildId,
        outDir: path.join(dir, 'packer'),
        noProvision: options.noProvision,
        sourcesDir: withSources ? sourcesDir : undefined,
        aws: {
          region,
          regions: [region],
          endpointEc2: endpointFor('ec2'),
          sshHost: options.sshHost,
          sshPort: options.sshPort,
          sshUser: options.sshUser,
          sshPrivateKeyFile: options.sshPrivateKeyFile,
          toolVersion: TOOL_VERSION,
          // A name filter is rendered as source_ami_filter (Packer resolves it again; the AMI's
          // amibake:base-ami tag records what it used); an SSM base is pinned to its resolved id.
          baseAmi: (options.baseAmi ?? loaded.spec.targets.aws?.base.ssm_parameter) ? base.imageId : undefined,
        },
      }),
    );
    manifest.template_hash = rendered.templateHash;

    const logFile = path.join(dir, 'packer.log');
    const result = await phases.run('packer', () => runPackerBuild({ dir: rendered.dir, logFile, signal: options.signal }));
    const artifact = requireArtifact(result, logFile);
    const amis = parseAmiIds(artifact.id ?? '');
    if (Object.keys(amis).length === 0) throw new PackerError(`packer reported no AMI id (artifact id "${artifact.id}")`);
    manifest.amis = amis;
    info(`baked ${loaded.name}: ${Object.entries(amis).map(([r, a]) => `${r}:${a}`).join(', ')}`);
  });
}
