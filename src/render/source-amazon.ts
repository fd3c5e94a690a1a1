// The view behind source-amazon-ebs.hcl.hbs: a private AMI from a filtered or resolved base.
import { RenderError } from '../errors.js';
import type { AwsBase, AwsTarget, LoadedSpec, Spec } from '../spec/types.js';
import { amiName } from './ami-name.js';
import type { AwsContext, RenderContext } from './context.js';
import { PackerToken, type HclScalar } from './hcl-escape.js';

const SSH_USERS: Record<AwsBase['distro'], string> = {
  ubuntu: 'ubuntu',
  debian: 'admin',
  amazon: 'ec2-user',
};

// The root device of each distribution's images; another name would add a second volume.
const ROOT_DEVICES: Record<AwsBase['distro'], string> = {
  ubuntu: '/dev/sda1',
  debian: '/dev/xvda',
  amazon: '/dev/xvda',
};

const DEFAULT_VOLUME_GIB = 10;

/** Tag keys amibake writes on every AMI, snapshot and build instance. */
export const TAG_KEYS = {
  image: 'amibake:image',
  specHash: 'amibake:spec-hash',
  baseAmi: 'amibake:base-ami',
  buildId: 'amibake:build-id',
  toolVersion: 'amibake:tool-version',
} as const;

export function requireAws(
  loaded: LoadedSpec,
  ctx: RenderContext,
): { t: AwsTarget; aws: AwsContext } {
  const t = loaded.spec.targets.aws;
  if (!t) throw new RenderError(`image "${loaded.name}" declares no aws target`);
  if (!ctx.aws) throw new RenderError('rendering for the aws target needs the aws context');
  return { t, aws: ctx.aws };
}

export function sshUserFor(t: AwsTarget): string {
  return t.ssh_user ?? SSH_USERS[t.base.distro];
}

function tags(loaded: LoadedSpec, ctx: RenderContext, aws: AwsContext, name: string) {
  const user = loaded.spec.publish?.tags ?? {};
  for (const key of Object.keys(user)) {
    if (key.startsWith('amibake:')) {
      throw new RenderError(`publish.tags "${key}": the amibake: prefix is reserved`);
    }
  }
  const result: Record<string, HclScalar> = { Name: name, ...user };
  result[TAG_KEYS.image] = loaded.name;
  result[TAG_KEYS.specHash] = loaded.hash;
  result[TAG_KEYS.baseAmi] = new PackerToken('{{ .SourceAMI }}');
  result[TAG_KEYS.buildId] = ctx.buildId;
  result[TAG_KEYS.toolVersion] = aws.toolVersion;
  return result;
}

// Encrypted snapshots under the default key cannot be shared, so a spec that publishes beyond
// this account bakes unencrypted unless it says otherwise.
function encryptedByDefault(spec: Spec): boolean {
  const p = spec.publish;
  if (!p) return true;
  return !(p.public || (p.accounts ?? []).length > 0 || (p.organizations ?? []).length > 0);
}

function sshPortNumber(port: string | undefined): number | null {
  if (port === undefined) return null;
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw new RenderError(`ssh port "${port}" is not a port number`);
  }
  return n;
}

function sourceChoice(loaded: LoadedSpec, t: AwsTarget, aws: AwsContext) {
  if (aws.baseAmi) return { sourceAmi: aws.baseAmi, filters: {}, owners: [] as string[] };
  if (!t.base.name_filter) {
    throw new RenderError(`image "${loaded.name}": the aws base has no name_filter`, {
      hint: 'resolve base.ssm_parameter to an AMI id first and pass it as the base AMI',
    });
  }
  if (t.base.owners.length === 0) {
    throw new RenderError(`image "${loaded.name}": base.owners is empty`);
  }
  const filters = {
    name: t.base.name_filter,
    'virtualization-type': t.base.virtualization,
    'root-device-type': t.base.root_device,
    architecture: loaded.spec.architecture,
  };
  return { sourceAmi: null, filters, owners: t.base.owners };
}

export function amazonView(loaded: LoadedSpec, ctx: RenderContext, label: string) {
  const { t, aws } = requireAws(loaded, ctx);
  const name = amiName(loaded.name, ctx.buildId);
  const noProvision = ctx.noProvision === true;
  return {
    label,
    amiName: name,
    description: loaded.spec.description,
    instanceType: t.instance_type,
    region: aws.region,
    amiRegions: [...new Set(aws.regions)].filter((r) => r !== aws.region),
    endpointEc2: aws.endpointEc2 ?? null,
    ...sourceChoice(loaded, t, aws),
    deviceName: ROOT_DEVICES[t.base.distro],
    // Always sized: without a size or snapshot the block device mapping is incomplete (moto and
    // EC2 both ask for one when the mapping does not match the AMI's own root device).
    volumeSize: t.volume_size ?? DEFAULT_VOLUME_GIB,
    encrypted: t.encrypted ?? encryptedByDefault(loaded.spec),
    noProvision,
    sshUser: aws.sshUser ?? sshUserFor(t),
    sshHost: aws.sshHost ?? null,
    sshPrivateKeyFile: aws.sshPrivateKeyFile ?? null,
    sshPort: sshPortNumber(aws.sshPort),
    modern: ctx.packer.modern,
    tags: tags(loaded, ctx, aws, name),
  };
}
