// DryRun probes: EC2 answers DryRunOperation when the identity may make a call and
// UnauthorizedOperation when not, without doing anything. Each probe is harmless even on an
// endpoint that ignored DryRun (the guard in aws-checks.ts also skips probes there).
import {
  CopyImageCommand,
  CreateImageCommand,
  ModifyImageAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { TAG_IMAGE } from '../aws/image-ops.js';
import type { SdkCommand } from '../aws/actions.js';
import type { PolicyPhase } from '../iam/policy-types.js';

/** An AMI to probe with: one of ours when any exists, else a well-formed id that is not. */
export interface ProbeImage {
  id: string;
  description?: string;
  real: boolean;
}

export const PLACEHOLDER_AMI = 'ami-0123456789abcdef0';
const PLACEHOLDER_INSTANCE = 'i-0123456789abcdef0';
const PROBE_NAME = 'amibake-doctor-probe';

export interface Probe {
  action: string;
  /** The phase whose statement grants the action, for the remedy. */
  phase: PolicyPhase;
  /** Whether the probe names `image`: a tag-scoped grant only matches our tagged AMIs. */
  usesImage: boolean;
  command(region: string, image: ProbeImage): SdkCommand;
}

export const PROBES: readonly Probe[] = [
  {
    action: 'ec2:RunInstances',
    phase: 'verify',
    usesImage: true,
    // Tagged like verify's own launch so a tag-scoped policy answers as it would for verify.
    command: (_region, image) =>
      new RunInstancesCommand({
        DryRun: true,
        ImageId: image.id,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: [{ Key: TAG_IMAGE, Value: PROBE_NAME }] },
        ],
      }),
  },
  {
    action: 'ec2:CreateImage',
    phase: 'bake',
    usesImage: false,
    command: () =>
      new CreateImageCommand({ DryRun: true, InstanceId: PLACEHOLDER_INSTANCE, Name: PROBE_NAME }),
  },
  {
    action: 'ec2:CopyImage',
    phase: 'publish',
    // A placeholder source: were DryRun ignored, no copy could be made of it.
    usesImage: false,
    command: (region) =>
      new CopyImageCommand({
        DryRun: true,
        SourceImageId: PLACEHOLDER_AMI,
        SourceRegion: region,
        Name: PROBE_NAME,
      }),
  },
  {
    action: 'ec2:ModifyImageAttribute',
    phase: 'publish',
    usesImage: true,
    // Sets the description it already has: a no-op even if it were carried out.
    command: (_region, image) =>
      new ModifyImageAttributeCommand({
        DryRun: true,
        ImageId: image.id,
        Description: { Value: image.description ?? '' },
      }),
  },
];
