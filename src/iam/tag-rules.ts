// How --scope tags narrows each of amibake's own tag-scopable calls, from what the calling code
// actually tags (src/verify/aws-boot.ts tags on create, publish tags copies after CopyImage).
// Packer's calls are never narrowed: Packer 1.6.6 makes its key pair, security group, volumes
// and AMI without tags and tags the AMI only afterwards, so any tag condition would stop a bake.
import { TAG_IMAGE } from '../aws/image-ops.js';
import type { PolicyPhase } from './policy-types.js';

export type Ec2ResourceType =
  | 'image'
  | 'snapshot'
  | 'instance'
  | 'volume'
  | 'subnet'
  | 'vpc'
  | 'network-interface'
  | 'security-group'
  | 'key-pair';

export type TagRule =
  /** Acts on resources that already carry the amibake:image tag. */
  | { kind: 'existing' }
  /** Creates `created` with the tag in its TagSpecifications; also touches `uses`, untagged. */
  | { kind: 'create'; created: Ec2ResourceType[]; uses: Ec2ResourceType[] }
  /** ec2:CreateTags: on create, or on resources of RETAGGED after they were made. */
  | { kind: 'tagging' }
  /** No tag can be checked when IAM evaluates the call; granted on any resource. */
  | { kind: 'unscoped'; why: string };

const EXISTING: TagRule = { kind: 'existing' };

export const TAG_RULES: Readonly<Record<string, TagRule>> = {
  'ec2:ModifyImageAttribute': EXISTING,
  'ec2:ModifySnapshotAttribute': EXISTING,
  'ec2:DeregisterImage': EXISTING,
  'ec2:DeleteSnapshot': EXISTING,
  'ec2:TerminateInstances': EXISTING,
  'ec2:GetConsoleOutput': EXISTING,
  'ec2:DeleteKeyPair': EXISTING,
  'ec2:DeleteSecurityGroup': EXISTING,
  'ec2:AuthorizeSecurityGroupIngress': EXISTING,
  'ec2:RunInstances': {
    kind: 'create',
    created: ['instance'],
    // The root volume is created too but verify tags only the instance.
    uses: ['image', 'subnet', 'network-interface', 'security-group', 'key-pair', 'volume'],
  },
  'ec2:ImportKeyPair': { kind: 'create', created: ['key-pair'], uses: [] },
  'ec2:CreateSecurityGroup': { kind: 'create', created: ['security-group'], uses: ['vpc'] },
  'ec2:CreateTags': { kind: 'tagging' },
  'ec2:CopyImage': {
    kind: 'unscoped',
    why: 'publish copies without TagSpecifications, so the new AMI is untagged when IAM checks',
  },
  'ec2:CreateImage': { kind: 'unscoped', why: 'Packer makes the AMI and tags it afterwards' },
};

/**
 * Resource types a phase tags after making them (publish: the copies and their snapshots).
 * Known limit: such a grant lets the identity put amibake:image on any of its images and
 * snapshots, which brings them under the 'existing' rules; AWS offers no tighter condition.
 */
export const RETAGGED: Partial<Record<PolicyPhase, Ec2ResourceType[]>> = {
  publish: ['image', 'snapshot'],
};

export const RESOURCE_TAG = `aws:ResourceTag/${TAG_IMAGE}`;
export const REQUEST_TAG = `aws:RequestTag/${TAG_IMAGE}`;

// Images and snapshots have no account in their ARNs. Partition "aws" only (not China/GovCloud).
export function arnOf(type: Ec2ResourceType): string {
  const account = type === 'image' || type === 'snapshot' ? '' : '*';
  return `arn:aws:ec2:*:${account}:${type}/*`;
}

export function tagRuleOf(action: string): TagRule | undefined {
  return TAG_RULES[action];
}
