// Checks an AWS bake can succeed before any instance starts; every failure is one line, and
// all are reported together. moto never rejects these mismatches, so the checks are ours.
import {
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../errors.js';
import type { Architecture, AwsBase, LoadedSpec } from '../spec/types.js';
import { send } from './actions.js';
import { resolveBaseAmi, type ResolvedAmi } from './base-ami.js';
import { ec2Client } from './clients.js';

export interface PreflightInput {
  image: string;
  base: AwsBase;
  arch: Architecture;
  instanceType: string;
  buildRegion: string;
  /** The final AMI name (no template expressions left). */
  amiName: string;
  /** Every region the AMI will exist in; the build region is added if missing. */
  targetRegions: string[];
  encrypted: boolean;
  public: boolean;
  /** An AMI id given on the command line (--base-ami) instead of the spec's base lookup. */
  baseAmiOverride?: string;
}

export interface PreflightReport {
  problems: string[];
  baseAmi?: ResolvedAmi;
}

// AWS: 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _
const AMI_NAME = /^[A-Za-z0-9()[\]. /\-'@_]{3,128}$/;

export function amiNameProblem(name: string): string | undefined {
  if (AMI_NAME.test(name)) return undefined;
  return `AMI name "${name}" is invalid: use 3-128 letters, digits, spaces and ( ) [ ] . / - ' @ _`;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

// amazon-ebs snapshots the build instance's EBS root volume, so it refuses (after launching
// nothing, but only once Packer runs) a base whose root device is instance-store.
const EBS_ONLY =
  "Packer's amazon-ebs builds only from EBS-backed AMIs: pin an EBS-backed base in the spec," +
  ' or give one with --base-ami ID';

async function checkOverride(input: PreflightInput, report: PreflightReport): Promise<string[]> {
  const id = input.baseAmiOverride as string;
  const out = await send(ec2Client(input.buildRegion), new DescribeImagesCommand({ ImageIds: [id] }), {
    phase: 'bake',
  });
  const image = out.Images?.[0];
  if (!image?.ImageId) return [`base AMI ${id} does not exist in ${input.buildRegion}`];
  const problems: string[] = [];
  if (image.Architecture !== input.arch) {
    problems.push(`base AMI ${id} is ${image.Architecture ?? 'of unknown architecture'}, not ${input.arch}`);
  }
  if (image.RootDeviceType !== 'ebs') {
    problems.push(`base AMI ${id} has root device ${image.RootDeviceType ?? 'unknown'}: ${EBS_ONLY}`);
  }
  report.baseAmi = {
    imageId: image.ImageId,
    name: image.Name ?? '',
    creationDate: image.CreationDate ?? '',
    ownerId: image.OwnerId ?? '',
  };
  return problems;
}

async function checkBase(input: PreflightInput, report: PreflightReport): Promise<string[]> {
  if (input.baseAmiOverride) {
    return checkOverride(input, report).catch((error: unknown) => [`base AMI: ${oneLine(error)}`]);
  }
  const { base, arch, buildRegion } = input;
  const problems: string[] = [];
  try {
    const ami = await resolveBaseAmi(base, arch, buildRegion, { phase: 'bake' });
    if (base.root_device === 'instance-store') {
      problems.push(`base AMI ${ami.imageId} (${ami.name}) is instance-store-backed: ${EBS_ONLY}`);
    } else {
      report.baseAmi = ami;
    }
  } catch (error) {
    const note = error instanceof AwsError && error.hint ? ` (${error.hint})` : '';
    problems.push(`base AMI: ${oneLine(error)}${note}`);
    if (base.root_device === 'instance-store') problems.push(`base root_device is instance-store: ${EBS_ONLY}`);
  }
  return problems;
}

async function checkInstanceType(input: PreflightInput): Promise<string[]> {
  const problems: string[] = [];
  const { instanceType, arch, buildRegion } = input;
  const virtualization = input.base.virtualization;
  try {
    const out = await send(
      ec2Client(buildRegion),
      new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }),
      { phase: 'bake' },
    );
    const info = out.InstanceTypes?.[0];
    if (!info) return [`instance type ${instanceType} is not offered in ${buildRegion}`];
    const arches: string[] = info.ProcessorInfo?.SupportedArchitectures ?? [];
    if (!arches.includes(arch)) {
      problems.push(
        `instance type ${instanceType} runs ${arches.join('/') || 'no listed architecture'},` +
          ` not ${arch}:` +
          ' pick an instance type of that architecture',
      );
    }
    const virts: string[] = info.SupportedVirtualizationTypes ?? [];
    if (!virts.includes(virtualization)) {
      problems.push(
        `instance type ${instanceType} supports ${virts.join('/') || 'no listed'} virtualization,` +
          ` not ${virtualization}`,
      );
    }
  } catch (error) {
    const code = error instanceof AwsError ? error.code : undefined;
    problems.push(
      code === 'InvalidInstanceType'
        ? `instance type ${instanceType} does not exist in ${buildRegion}`
        : `instance type ${instanceType}: ${oneLine(error)}`,
    );
  }
  return problems;
}

async function checkNameFree(name: string, region: string): Promise<string[]> {
  try {
    const out = await send(
      ec2Client(region),
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
      { phase: 'bake' },
    );
    const taken = out.Images?.[0];
    if (!taken) return [];
    return [
      `AMI name "${name}" is already used by ${taken.ImageId} in ${region}:` +
        ' change the name or prune it',
    ];
  } catch (error) {
    return [`AMI name check in ${region}: ${oneLine(error)}`];
  }
}

export async function runPreflight(input: PreflightInput): Promise<PreflightReport> {
  const report: PreflightReport = { problems: [] };
  const nameProblem = amiNameProblem(input.amiName);
  if (nameProblem) report.problems.push(nameProblem);
  if (input.encrypted && input.public) {
    report.problems.push(
      'an encrypted AMI cannot be public: set publish.public false or targets.aws.encrypted false',
    );
  }
  const regions = [...new Set([input.buildRegion, ...input.targetRegions])];
  // Run together, reported in a fixed order.
  const found = await Promise.all([
    checkBase(input, report),
    checkInstanceType(input),
    ...(nameProblem ? [] : regions.map((region) => checkNameFree(input.amiName, region))),
  ]);
  report.problems.push(...found.flat());
  return report;
}

/** Throws one AwsError listing every problem, one per line. */
export function assertPreflight(image: string, report: PreflightReport): ResolvedAmi {
  if (report.problems.length === 0 && report.baseAmi) return report.baseAmi;
  const lines = report.problems.map((p) => `  ${p}`).join('\n');
  throw new AwsError(`preflight for ${image} failed:\n${lines}`, {
    code: 'PreflightFailed',
    hint: 'fix the spec or the account and run again; no instance was started',
  });
}

/** The preflight input for a loaded spec's aws target. */
export function preflightInput(
  loaded: LoadedSpec,
  amiName: string,
  buildRegion: string,
): PreflightInput {
  const aws = loaded.spec.targets.aws;
  if (!aws) throw new AwsError(`${loaded.name} has no aws target`, { code: 'NoAwsTarget' });
  return {
    image: loaded.name,
    base: aws.base,
    arch: loaded.spec.architecture,
    instanceType: aws.instance_type,
    buildRegion,
    amiName,
    targetRegions: loaded.spec.publish?.regions ?? [],
    encrypted: aws.encrypted ?? false,
    public: loaded.spec.publish?.public ?? false,
  };
}
