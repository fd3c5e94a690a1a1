// What must hold before publish copies anything: the build passed verification (and its audit
// is clean when going public), and every target region can take the image.
import {
  DescribeImagesCommand,
  GetImageBlockPublicAccessStateCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import { AwsError, UsageError, VerifyError } from '../errors.js';
import { info, warn } from '../log.js';
import type { BuildManifest } from '../manifest-types.js';
import { send } from './actions.js';
import { ec2Client } from './clients.js';

export interface SourceAmi {
  region: string;
  imageId: string;
}

/** Refuses a build that is not an AWS bake, did not succeed, or did not pass verification. */
export function assertPublishable(manifest: BuildManifest, goingPublic: boolean): SourceAmi {
  const what = `build ${manifest.build_id} of ${manifest.image}`;
  if (manifest.target !== 'aws') {
    throw new UsageError(`${what} is a ${manifest.target} build; only aws builds publish`);
  }
  const [first] = Object.entries(manifest.amis ?? {});
  if (manifest.status !== 'succeeded' || !first) {
    throw new UsageError(`${what} has no AMI to publish (status ${manifest.status})`, {
      hint: `bake it again: amibake bake ${manifest.image} --target aws`,
    });
  }
  const verification = manifest.verification;
  if (verification?.status !== 'passed') {
    const state = verification ? 'verification failed' : 'never verified';
    throw new VerifyError(`${what} is not verified (${state})`, {
      hint: `run amibake verify ${manifest.image} --build ${manifest.build_id}, then publish`,
    });
  }
  if (goingPublic && verification.audit.length > 0) {
    const kinds = [...new Set(verification.audit.map((f) => f.kind))].join(', ');
    throw new VerifyError(
      `${what} has ${verification.audit.length} audit finding(s) (${kinds});` +
        ' refusing to make it public',
      { hint: 'remove what the audit found from the image, bake and verify again' },
    );
  }
  return { region: first[0], imageId: first[1] };
}

export function isEncrypted(image: Image): boolean {
  return (image.BlockDeviceMappings ?? []).some((m) => m.Ebs?.Encrypted === true);
}

/** Sum of the image's EBS volume sizes in GiB (at least 1), for the copy wait budget. */
export function imageSizeGiB(image: Image): number {
  const sizes = (image.BlockDeviceMappings ?? []).map((m) => m.Ebs?.VolumeSize ?? 0);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return Math.max(1, total);
}

async function blockPublicAccessProblem(
  region: string,
  assumeUnblocked: boolean,
): Promise<string | undefined> {
  try {
    const command = new GetImageBlockPublicAccessStateCommand({});
    const out = await send(ec2Client(region), command, { phase: 'publish' });
    const state = out.ImageBlockPublicAccessState;
    if (state === 'unblocked') return undefined;
    return (
      `${region} blocks public AMIs (image block public access: ${state}):` +
      ` run aws ec2 disable-image-block-public-access --region ${region}`
    );
  } catch (error) {
    if (!(error instanceof AwsError) || error.code !== 'NotSupportedByEndpoint') throw error;
    if (assumeUnblocked) {
      warn(`${region}: the endpoint cannot report image block public access; assuming it is off`);
      return undefined;
    }
    return (
      `${region}: the endpoint does not support GetImageBlockPublicAccessState, so whether it` +
      ' blocks public AMIs is unknown: pass --assume-unblocked if you know it does not'
    );
  }
}

/** How many public AMIs this account already has in the region (AWS caps them by quota). */
export async function countPublicImages(region: string): Promise<number> {
  const out = await send(
    ec2Client(region),
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [{ Name: 'is-public', Values: ['true'] }],
    }),
    { phase: 'publish' },
  );
  return (out.Images ?? []).filter((i) => i.Public === true).length;
}

export interface RegionCheckInput {
  regions: string[];
  source: Image;
  goingPublic: boolean;
  sharedWithAccounts: boolean;
  assumeUnblocked: boolean;
}

/** Every problem of every target region at once; throws before any copy starts. */
export async function checkTargetRegions(input: RegionCheckInput): Promise<Record<string, number>> {
  const problems: string[] = [];
  if (input.goingPublic && isEncrypted(input.source)) {
    problems.push(`${input.source.ImageId} has encrypted snapshots, which AWS cannot make public`);
  } else if (input.sharedWithAccounts && isEncrypted(input.source)) {
    warn('the image is encrypted: the accounts it is shared with also need use of its KMS key');
  }
  const counts: Record<string, number> = {};
  const perRegion = await Promise.all(
    input.regions.map(async (region) => {
      if (!input.goingPublic) return undefined;
      counts[region] = await countPublicImages(region);
      return blockPublicAccessProblem(region, input.assumeUnblocked);
    }),
  );
  problems.push(...perRegion.filter((p): p is string => p !== undefined));
  for (const region of input.regions.filter((r) => r in counts)) {
    const count = counts[region];
    info(`publish ${region}: this account has ${count} public AMI(s) there (Public AMIs quota)`);
  }
  if (problems.length > 0) {
    throw new AwsError(`cannot publish:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      code: 'PublishPreflightFailed',
      hint: 'nothing was copied',
    });
  }
  return counts;
}
